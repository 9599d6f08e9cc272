// base/json_parse.h
//
// The one way baton turns text into JSON. nlohmann's parser and the code that walks its result
// recurse once per nesting level, so a body nested tens of thousands deep overflows the stack and
// kills the process. Every parse here first runs a cheap scan that refuses text nested deeper than
// kMaxJsonDepth, before nlohmann sees it. Pure functions; thread-safe.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace baton {

// Deeper than any real MCP message, job spec or config file; far below what overflows a stack.
inline constexpr int kMaxJsonDepth = 128;

// True when `text` has no more than `max_depth` nested [ / { outside strings. Does not check that
// the text is valid JSON. With `skip_comments`, // and /* */ comments are not counted.
bool JsonDepthWithin(std::string_view text, int max_depth, bool skip_comments = false);

// The message of the error a too-deep text gets: "JSON nested deeper than 128 levels".
std::string JsonTooDeepMessage();

// Parses `text`. InvalidArgument naming the limit when it is nested deeper than kMaxJsonDepth,
// InvalidArgument with the parser's reason when it is not JSON.
Result<nlohmann::json> ParseJson(std::string_view text, bool ignore_comments = false);

// Parses `text`, or returns a value whose is_discarded() is true when it is not JSON or is nested
// too deep. For callers that treat both the same (a stored column that should always be JSON).
nlohmann::json ParseJsonOrDiscarded(std::string_view text, bool ignore_comments = false);

}  // namespace baton
