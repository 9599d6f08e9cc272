#include "base/port_block.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>

namespace baton {

namespace {

bool PortFree(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool free = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return free;
}

}  // namespace

Result<int> FindFreePortBlock(int count) {
  constexpr int kLow = 20000, kHigh = 60000;
  if (count < 1 || count > 1000) return Status::InvalidArgument("a port block is 1 to 1000 ports");
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> pick(0, (kHigh - kLow) / count - 1);
  for (int tries = 0; tries < 64; ++tries) {
    int base = kLow + pick(rng) * count;
    int p = base;
    while (p < base + count && PortFree(p)) ++p;
    if (p == base + count) return base;
  }
  return Status::Unavailable("no block of " + std::to_string(count) + " free ports found on 127.0.0.1");
}

}  // namespace baton
