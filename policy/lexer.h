// policy/lexer.h
//
// Lexer splits Rego source text into tokens, each with its line and column (1-based) and whether a
// newline precedes it (Rego separates body expressions by newlines). Pure function of its input.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace baton::policy {

enum class TokenKind {
  kEof, kIdent, kNumber, kString, kRawString,
  kLBrace, kRBrace, kLBracket, kRBracket, kLParen, kRParen,
  kDot, kComma, kSemicolon, kColon, kAssign /* := */, kUnify /* = */,
  kEq, kNeq, kLt, kLte, kGt, kGte, kPlus, kMinus, kStar, kSlash, kPercent, kAmp, kPipe,
};

struct Token {
  TokenKind kind = TokenKind::kEof;
  std::string text;  // identifier, number text, or the decoded string value
  int line = 1;
  int col = 1;
  bool newline_before = false;
  bool space_before = false;
};

// Tokenizes `source`; the last token is kEof. Errors name `file`:line:col.
Result<std::vector<Token>> Lex(std::string_view file, std::string_view source);

// "file:line:col: message"
std::string Locate(std::string_view file, int line, int col, std::string_view message);

}  // namespace baton::policy
