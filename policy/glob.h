// policy/glob.h
//
// GlobMatch implements the pattern language of Rego's glob.match (gobwas/glob): `*` matches any run
// of non-delimiter characters, `**` any run at all, `?` one non-delimiter character, `[abc]`,
// `[a-z]`, `[!x]` character classes, `{a,b}` alternatives and `\` escapes. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace baton::policy {

// nullopt when the pattern is malformed (OPA then reports an error: the call is undefined).
std::optional<bool> GlobMatch(std::string_view pattern, std::string_view delimiters,
                              std::string_view text);

}  // namespace baton::policy
