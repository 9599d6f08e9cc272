// policy/lexer.cc
#include "policy/lexer.h"

#include <cctype>

namespace baton::policy {

std::string Locate(std::string_view file, int line, int col, std::string_view message) {
  return std::string(file) + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " +
         std::string(message);
}

namespace {

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Lexer {
 public:
  Lexer(std::string_view file, std::string_view src) : file_(file), src_(src) {}

  Result<std::vector<Token>> Run() {
    BATON_RETURN_IF_ERROR(CheckUtf8());
    std::vector<Token> out;
    bool newline = true;
    bool space = true;
    while (true) {
      // Skip whitespace and comments.
      while (pos_ < src_.size()) {
        char c = src_[pos_];
        if (c == '\n') {
          newline = space = true;
          Advance();
        } else if (c == ' ' || c == '\t' || c == '\r') {
          space = true;
          Advance();
        } else if (c == '#') {
          while (pos_ < src_.size() && src_[pos_] != '\n') Advance();
        } else {
          break;
        }
      }
      Token t;
      t.line = line_;
      t.col = col_;
      t.newline_before = newline;
      t.space_before = space;
      newline = space = false;
      if (pos_ >= src_.size()) {
        t.kind = TokenKind::kEof;
        out.push_back(std::move(t));
        return out;
      }
      Status s = Next(t);
      if (!s.ok()) return s;
      out.push_back(std::move(t));
    }
  }

 private:
  // Rego sources are UTF-8; anything else is rejected up front (with its position).
  Status CheckUtf8() const {
    int line = 1, col = 1;
    for (size_t i = 0; i < src_.size();) {
      unsigned char c = static_cast<unsigned char>(src_[i]);
      size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
      bool ok = n > 0 && i + n <= src_.size() && !(n == 2 && c < 0xC2);
      for (size_t k = 1; ok && k < n; ++k) {
        ok = (static_cast<unsigned char>(src_[i + k]) & 0xC0) == 0x80;
      }
      if (!ok) return Status::InvalidArgument(Locate(file_, line, col, "invalid UTF-8"));
      if (c == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
      i += n;
    }
    return Status::OK();
  }

  void Advance() {
    if (src_[pos_] == '\n') {
      ++line_;
      col_ = 1;
    } else if ((static_cast<unsigned char>(src_[pos_]) & 0xC0) != 0x80) {
      ++col_;
    }
    ++pos_;
  }
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0';
  }
  Status Error(const Token& t, std::string_view msg) const {
    return Status::InvalidArgument(Locate(file_, t.line, t.col, msg));
  }

  Status Next(Token& t) {
    char c = Peek();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t start = pos_;
      while (std::isalnum(static_cast<unsigned char>(Peek())) || Peek() == '_') Advance();
      t.kind = TokenKind::kIdent;
      t.text = std::string(src_.substr(start, pos_ - start));
      return Status::OK();
    }
    if (std::isdigit(static_cast<unsigned char>(c))) return LexNumber(t);
    if (c == '"') return LexString(t);
    if (c == '`') {
      Advance();
      size_t start = pos_;
      while (pos_ < src_.size() && src_[pos_] != '`') Advance();
      if (pos_ >= src_.size()) return Error(t, "unterminated raw string");
      t.kind = TokenKind::kRawString;
      t.text = std::string(src_.substr(start, pos_ - start));
      Advance();
      return Status::OK();
    }
    auto one = [&](TokenKind k) {
      t.kind = k;
      Advance();
      return Status::OK();
    };
    auto two = [&](TokenKind k) {
      t.kind = k;
      Advance();
      Advance();
      return Status::OK();
    };
    switch (c) {
      case '{': return one(TokenKind::kLBrace);
      case '}': return one(TokenKind::kRBrace);
      case '[': return one(TokenKind::kLBracket);
      case ']': return one(TokenKind::kRBracket);
      case '(': return one(TokenKind::kLParen);
      case ')': return one(TokenKind::kRParen);
      case '.': return one(TokenKind::kDot);
      case ',': return one(TokenKind::kComma);
      case ';': return one(TokenKind::kSemicolon);
      case ':': return Peek(1) == '=' ? two(TokenKind::kAssign) : one(TokenKind::kColon);
      case '=': return Peek(1) == '=' ? two(TokenKind::kEq) : one(TokenKind::kUnify);
      case '!':
        if (Peek(1) == '=') return two(TokenKind::kNeq);
        break;
      case '<': return Peek(1) == '=' ? two(TokenKind::kLte) : one(TokenKind::kLt);
      case '>': return Peek(1) == '=' ? two(TokenKind::kGte) : one(TokenKind::kGt);
      case '+': return one(TokenKind::kPlus);
      case '-': return one(TokenKind::kMinus);
      case '*': return one(TokenKind::kStar);
      case '/': return one(TokenKind::kSlash);
      case '%': return one(TokenKind::kPercent);
      case '&': return one(TokenKind::kAmp);
      case '|': return one(TokenKind::kPipe);
      default:
        break;
    }
    std::string msg = "unexpected character ";
    if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f) {
      msg += "'" + std::string(1, c) + "'";
    } else {
      msg += "byte " + std::to_string(static_cast<unsigned char>(c));
    }
    return Error(t, msg);
  }

  Status LexNumber(Token& t) {
    size_t start = pos_;
    while (std::isdigit(static_cast<unsigned char>(Peek()))) Advance();
    if (Peek() == '.' && std::isdigit(static_cast<unsigned char>(Peek(1)))) {
      Advance();
      while (std::isdigit(static_cast<unsigned char>(Peek()))) Advance();
    }
    if (Peek() == 'e' || Peek() == 'E') {
      size_t save_pos = pos_;
      int save_col = col_;
      Advance();
      if (Peek() == '+' || Peek() == '-') Advance();
      if (!std::isdigit(static_cast<unsigned char>(Peek()))) {
        pos_ = save_pos;
        col_ = save_col;
      } else {
        while (std::isdigit(static_cast<unsigned char>(Peek()))) Advance();
      }
    }
    if (std::isalpha(static_cast<unsigned char>(Peek())) || Peek() == '_') {
      return Error(t, "invalid number literal");
    }
    t.kind = TokenKind::kNumber;
    t.text = std::string(src_.substr(start, pos_ - start));
    return Status::OK();
  }

  Status LexString(Token& t) {
    Advance();  // opening quote
    std::string out;
    while (true) {
      if (pos_ >= src_.size() || src_[pos_] == '\n') return Error(t, "unterminated string");
      char c = src_[pos_];
      if (c == '"') {
        Advance();
        break;
      }
      if (c != '\\') {
        out += c;
        Advance();
        continue;
      }
      Advance();
      if (pos_ >= src_.size()) return Error(t, "unterminated string");
      char e = src_[pos_];
      Advance();
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = 0;
          for (int i = 0; i < 4; ++i) {
            int h = HexDigit(Peek());
            if (h < 0) return Error(t, "invalid \\u escape in string");
            cp = cp * 16 + static_cast<uint32_t>(h);
            Advance();
          }
          if (cp >= 0xD800 && cp < 0xDC00 && Peek() == '\\' && Peek(1) == 'u') {
            uint32_t lo = 0;
            bool ok = true;
            for (int i = 0; i < 4; ++i) {
              int h = HexDigit(Peek(2 + i));
              if (h < 0) ok = false;
              lo = lo * 16 + static_cast<uint32_t>(h < 0 ? 0 : h);
            }
            if (ok && lo >= 0xDC00 && lo < 0xE000) {
              for (int i = 0; i < 6; ++i) Advance();
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
          }
          AppendUtf8(out, cp);
          break;
        }
        default:
          return Error(t, "invalid escape sequence in string");
      }
    }
    t.kind = TokenKind::kString;
    t.text = std::move(out);
    return Status::OK();
  }

  std::string_view file_;
  std::string_view src_;
  size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
};

}  // namespace

Result<std::vector<Token>> Lex(std::string_view file, std::string_view source) {
  return Lexer(file, source).Run();
}

}  // namespace baton::policy
