#include "transport/http_request_head.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace baton::transport {

namespace {

bool IsTokenChar(unsigned char c) {
  if (std::isalnum(c)) return true;
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return kExtra.find(static_cast<char>(c)) != std::string_view::npos;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

size_t FindEndOfHead(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != '\n') continue;
    if (i + 1 < bytes.size() && bytes[i + 1] == '\n') return i + 2;
    if (i + 2 < bytes.size() && bytes[i + 1] == '\r' && bytes[i + 2] == '\n') return i + 3;
  }
  return std::string_view::npos;
}

std::optional<HeadRefusal> CheckRequestHead(std::string_view head, size_t max_body_bytes) {
  size_t eol = head.find('\n');
  if (eol == std::string_view::npos) return HeadRefusal{400, "Bad Request: no request line"};
  std::string_view request_line = TrimOws(head.substr(0, eol));
  std::string_view method = request_line.substr(0, request_line.find(' '));
  const bool has_body_method = method == "POST" || method == "PUT" || method == "PATCH";

  std::optional<std::string_view> content_length;
  size_t pos = eol + 1;
  while (pos < head.size()) {
    size_t end = head.find('\n', pos);
    if (end == std::string_view::npos) end = head.size();
    std::string_view line = head.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the blank line that ends the head
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return HeadRefusal{400, "Bad Request: a header line without a field name and colon"};
    std::string_view name = line.substr(0, colon);
    for (unsigned char c : name) {
      if (c == ' ' || c == '\t')
        return HeadRefusal{400, "Bad Request: whitespace between a header field name and its "
                                "colon is not allowed (RFC 9112 section 5.1)"};
      if (!IsTokenChar(c))
        return HeadRefusal{400, "Bad Request: invalid character in a header field name"};
    }
    std::string_view value = TrimOws(line.substr(colon + 1));
    if (EqualsIgnoreCase(name, "Transfer-Encoding"))
      return HeadRefusal{411, "Length Required: chunked or otherwise transfer-encoded request "
                              "bodies are not accepted; send Content-Length"};
    if (EqualsIgnoreCase(name, "Content-Encoding") && !EqualsIgnoreCase(value, "identity"))
      return HeadRefusal{415, "Unsupported Media Type: compressed request bodies are not accepted"};
    if (EqualsIgnoreCase(name, "Content-Length")) {
      if (content_length && *content_length != value)
        return HeadRefusal{400, "Bad Request: conflicting Content-Length headers"};
      content_length = value;
    }
  }
  if (content_length) {
    uint64_t n = 0;
    const char* b = content_length->data();
    const char* e = b + content_length->size();
    auto [p, ec] = std::from_chars(b, e, n);
    if (content_length->empty() || ec != std::errc() || p != e ||
        content_length->find_first_not_of("0123456789") != std::string_view::npos)
      return HeadRefusal{400, "Bad Request: invalid Content-Length"};
    if (n > max_body_bytes)
      return HeadRefusal{413, "Payload Too Large: the limit is " + std::to_string(max_body_bytes) +
                                  " bytes"};
  } else if (has_body_method) {
    return HeadRefusal{411, "Length Required: send the body with a Content-Length header"};
  }
  return std::nullopt;
}

}  // namespace baton::transport
