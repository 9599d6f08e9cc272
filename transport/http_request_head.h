// transport/http_request_head.h
//
// The checks baton makes on an HTTP/1.1 request head (request line and header fields, up to the
// blank line) before cpp-httplib parses it and before any body byte is read. Pure: bytes in,
// verdict out, so it can be fuzzed (tests/transport/fuzz/http_request_fuzz.cc).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace baton::transport {

struct HeadRefusal {
  int status = 400;     // HTTP status to answer, always with Connection: close
  std::string message;  // what the client must change
};

// The offset just past the blank line that ends the head in `bytes`, or npos when it has not
// arrived yet. A bare LF line end is accepted as httplib does.
size_t FindEndOfHead(std::string_view bytes);

// Refuses what baton does not serve, RFC 9112 where it speaks:
//  - a field name with whitespace before the colon (`Transfer-Encoding : chunked`; §5.1: MUST
//    be rejected with 400, it is how request smuggling hides a framing header) or any byte that is
//    not a token character, or a line without a colon (400);
//  - any Transfer-Encoding (411: bodies need Content-Length here);
//  - a POST, PUT or PATCH without Content-Length (411: its body would be read to the end of the
//    connection, whatever its size), an invalid or repeated-and-different Content-Length (400),
//    or one over `max_body_bytes` (413);
//  - a Content-Encoding other than identity (415).
// nullopt: pass it on to the server.
std::optional<HeadRefusal> CheckRequestHead(std::string_view head, size_t max_body_bytes);

}  // namespace baton::transport
