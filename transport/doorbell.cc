#include "transport/doorbell.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>

#include <algorithm>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace baton::transport {

namespace {

socklen_t AbstractAddress(const std::string& name, sockaddr_un* addr) {
  memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  size_t len = std::min(name.size(), sizeof(addr->sun_path) - 1);
  memcpy(addr->sun_path + 1, name.data(), len);  // sun_path[0] == '\0': abstract namespace
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + len);
}

}  // namespace

Doorbell::~Doorbell() { Close(); }

Status Doorbell::Bind(const std::string& name) {
  Close();
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Internal(std::string("doorbell socket: ") + strerror(errno));
  sockaddr_un addr;
  socklen_t len = AbstractAddress(name, &addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    int err = errno;
    close(fd);
    if (err == EADDRINUSE) return Status::AlreadyExists("doorbell " + name + " is taken");
    return Status::Internal("doorbell bind " + name + ": " + strerror(err));
  }
  fd_ = fd;
  return Status::OK();
}

void Doorbell::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

int Doorbell::Drain() {
  int n = 0;
  char buf[16];
  while (fd_ >= 0 && recv(fd_, buf, sizeof buf, 0) >= 0) ++n;
  return n;
}

bool Doorbell::Wait(int timeout_ms) {
  if (fd_ < 0) return false;
  pollfd p{fd_, POLLIN, 0};
  int r = poll(&p, 1, timeout_ms);
  if (r <= 0) return false;
  Drain();
  return true;
}

Status Doorbell::Ring(const std::string& name) {
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Internal(std::string("doorbell socket: ") + strerror(errno));
  sockaddr_un addr;
  socklen_t len = AbstractAddress(name, &addr);
  char b = 1;
  ssize_t r = sendto(fd, &b, 1, MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr), len);
  int err = errno;
  close(fd);
  if (r == 1 || err == EAGAIN) return Status::OK();  // a full queue means it is already rung
  return Status::Unavailable("nobody answers doorbell " + name);
}

}  // namespace baton::transport
