// tests/transport/fuzz/http_request_head_fuzz.cc
//
// libFuzzer target for the HTTP request reader's own checks (transport/http_request_head.h), which
// see every byte a client sends before cpp-httplib does: finding the end of a head in a byte stream
// and judging its framing. Never a crash, never an offset outside the bytes, and a refusal is
// always one of the statuses the reader documents. Built and run by scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "transport/http_request_head.h"

namespace {

void Require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t end = baton::transport::FindEndOfHead(bytes);
  if (end == std::string_view::npos) {
    // Not complete yet: the reader waits for more; judge what arrived anyway (a hostile client
    // may close here).
    end = bytes.size();
  } else {
    Require(end <= bytes.size());
    // The head ends with a line end; one byte fewer must not be a complete head ending later.
    Require(bytes[end - 1] == '\n');
    size_t shorter = baton::transport::FindEndOfHead(bytes.substr(0, end - 1));
    Require(shorter == std::string_view::npos || shorter < end);
  }
  for (size_t limit : {size_t{0}, size_t{1} << 20}) {
    auto refusal = baton::transport::CheckRequestHead(bytes.substr(0, end), limit);
    if (!refusal) continue;
    int s = refusal->status;
    Require(s == 400 || s == 411 || s == 413 || s == 415);
    Require(!refusal->message.empty());
  }
  return 0;
}
