#include "base/json_parse.h"

#include <string>

namespace baton {

bool JsonDepthWithin(std::string_view text, int max_depth, bool skip_comments) {
  int depth = 0;
  const size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (c == '"') {
      // Skip the string; a backslash escapes the next character (\" and \\ included).
      for (++i; i < n && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;  // unbalanced text is the parser's to refuse
    } else if (skip_comments && c == '/' && i + 1 < n) {
      if (text[i + 1] == '/') {
        while (i < n && text[i] != '\n') ++i;
      } else if (text[i + 1] == '*') {
        const size_t end = text.find("*/", i + 2);
        if (end == std::string_view::npos) return true;  // unterminated: the parser refuses it
        i = end + 1;
      }
    }
  }
  return true;
}

std::string JsonTooDeepMessage() {
  return "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
}

Result<nlohmann::json> ParseJson(std::string_view text, bool ignore_comments) {
  if (!JsonDepthWithin(text, kMaxJsonDepth, ignore_comments)) {
    return Status::InvalidArgument(JsonTooDeepMessage());
  }
  try {
    return nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/true,
                                 ignore_comments);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("invalid JSON: ") + e.what());
  }
}

nlohmann::json ParseJsonOrDiscarded(std::string_view text, bool ignore_comments) {
  if (!JsonDepthWithin(text, kMaxJsonDepth, ignore_comments)) {
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
  return nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false,
                               ignore_comments);
}

}  // namespace baton
