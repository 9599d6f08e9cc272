#include "base/random_id.h"

#include <sys/random.h>

#include <stdexcept>
#include <vector>

namespace baton {

std::string RandomHexId(int bytes) {
  std::vector<unsigned char> buf(bytes);
  size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = getrandom(buf.data() + got, buf.size() - got, 0);
    if (n < 0) throw std::runtime_error("getrandom failed");  // never on Linux >= 3.17
    got += static_cast<size_t>(n);
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(buf.size() * 2);
  for (unsigned char c : buf) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

}  // namespace baton
