// policy/sprintf.cc
#include "policy/sprintf.h"

#include <cstdio>

namespace baton::policy {
namespace {

struct Spec {
  bool minus = false, plus = false, zero = false, space = false, sharp = false;
  int width = -1;
  int precision = -1;
  char verb = 0;
};

std::string Pad(std::string s, const Spec& sp) {
  if (sp.width < 0 || static_cast<int>(s.size()) >= sp.width) return s;
  size_t n = static_cast<size_t>(sp.width) - s.size();
  if (sp.minus) return s + std::string(n, ' ');
  if (sp.zero && !s.empty() && (s[0] == '-' || s[0] == '+')) {
    return s.substr(0, 1) + std::string(n, '0') + s.substr(1);
  }
  return std::string(n, sp.zero ? '0' : ' ') + s;
}

// Go's name for the dynamic type of an argument, used in "%!d(string=x)" error text.
std::string GoType(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kString: return "string";
    case ValueKind::kNumber: return v.is_int() ? "int" : "float64";
    default: return "string";  // OPA hands every non-number to fmt as its string form
  }
}

std::string Plain(const Value& v) {
  if (v.is_string()) return v.str();
  if (v.is_number()) return FormatNumber(v);
  return v.ToRego();
}

// Go's %q of an integer: a quoted character literal.
std::string QuoteRune(int64_t r) {
  switch (r) {
    case '\a': return "'\\a'";
    case '\b': return "'\\b'";
    case '\f': return "'\\f'";
    case '\n': return "'\\n'";
    case '\r': return "'\\r'";
    case '\t': return "'\\t'";
    case '\v': return "'\\v'";
    case '\'': return "'\\''";
    case '\\': return "'\\\\'";
    default: break;
  }
  char buf[32];
  if (r >= 0x20 && r < 0x7f) {
    std::snprintf(buf, sizeof buf, "'%c'", static_cast<char>(r));
  } else if (r >= 0 && r < 0x80) {
    std::snprintf(buf, sizeof buf, "'\\x%02x'", static_cast<unsigned>(r));
  } else if (r >= 0 && r < 0x10000) {
    std::snprintf(buf, sizeof buf, "'\\u%04x'", static_cast<unsigned>(r));
  } else {
    std::snprintf(buf, sizeof buf, "'\\U%08llx'", static_cast<unsigned long long>(r));
  }
  return buf;
}

std::string BadVerb(const Spec& sp, const Value& v) {
  return std::string("%!") + sp.verb + "(" + GoType(v) + "=" + Plain(v) + ")";
}

std::string FormatOne(const Spec& sp, const Value& v) {
  char buf[512];
  switch (sp.verb) {
    case 'v':
    case 's':
      if (sp.verb == 's' && v.is_number()) return BadVerb(sp, v);
      {
        std::string s = Plain(v);
        if (sp.precision >= 0 && v.is_string() && static_cast<size_t>(sp.precision) < s.size()) {
          s = s.substr(0, static_cast<size_t>(sp.precision));
        }
        return Pad(s, sp);
      }
    case 'q':
      if (v.is_number()) {
        if (!v.is_int()) return BadVerb(sp, v);
        return Pad(QuoteRune(v.int_value()), sp);
      }
      return Pad(QuoteString(Plain(v)), sp);
    case 'd':
      if (!v.is_number() || !v.is_int()) return BadVerb(sp, v);
      {
        std::string s = std::to_string(v.int_value());
        if (sp.plus && v.int_value() >= 0) s = "+" + s;
        return Pad(s, sp);
      }
    case 'x':
    case 'X':
    case 'o':
    case 'b':
      if (v.is_number() && v.is_int()) {
        int64_t i = v.int_value();
        uint64_t u = i < 0 ? static_cast<uint64_t>(-i) : static_cast<uint64_t>(i);
        int base = sp.verb == 'o' ? 8 : sp.verb == 'b' ? 2 : 16;
        const char* digits = sp.verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
        std::string s;
        do {
          s.insert(s.begin(), digits[u % static_cast<uint64_t>(base)]);
          u /= static_cast<uint64_t>(base);
        } while (u);
        if (i < 0) s = "-" + s;
        return Pad(s, sp);
      }
      if (v.is_string() && (sp.verb == 'x' || sp.verb == 'X')) {
        std::string s;
        for (unsigned char c : v.str()) {
          std::snprintf(buf, sizeof buf, sp.verb == 'x' ? "%02x" : "%02X", c);
          s += buf;
        }
        return Pad(s, sp);
      }
      return BadVerb(sp, v);
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
      if (!v.is_number() || v.is_int()) return BadVerb(sp, v);
      {
        std::string f = "%";
        if (sp.plus) f += "+";
        if (sp.precision >= 0) f += "." + std::to_string(sp.precision);
        f += sp.verb;
        std::snprintf(buf, sizeof buf, f.c_str(), v.number());
        return Pad(buf, sp);
      }
    default:
      return std::string("%!") + sp.verb + "(" + GoType(v) + "=" + Plain(v) + ")";
  }
}

}  // namespace

std::string GoSprintf(std::string_view fmt, const ValueVector& args) {
  std::string out;
  size_t argi = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c != '%') {
      out += c;
      continue;
    }
    if (i + 1 >= fmt.size()) {
      out += "%!(NOVERB)";
      break;
    }
    Spec sp;
    size_t j = i + 1;
    for (; j < fmt.size(); ++j) {
      char f = fmt[j];
      if (f == '-') sp.minus = true;
      else if (f == '+') sp.plus = true;
      else if (f == '0') sp.zero = !sp.minus;
      else if (f == ' ') sp.space = true;
      else if (f == '#') sp.sharp = true;
      else break;
    }
    while (j < fmt.size() && fmt[j] >= '0' && fmt[j] <= '9') {
      sp.width = (sp.width < 0 ? 0 : sp.width) * 10 + (fmt[j] - '0');
      if (sp.width > 1000) sp.width = 1000;
      ++j;
    }
    if (j < fmt.size() && fmt[j] == '.') {
      ++j;
      sp.precision = 0;
      while (j < fmt.size() && fmt[j] >= '0' && fmt[j] <= '9') {
        sp.precision = sp.precision * 10 + (fmt[j] - '0');
        if (sp.precision > 100) sp.precision = 100;
        ++j;
      }
    }
    if (j >= fmt.size()) {
      out += "%!(NOVERB)";
      break;
    }
    sp.verb = fmt[j];
    i = j;
    if (sp.verb == '%') {
      out += '%';
      continue;
    }
    if (argi >= args.size()) {
      out += std::string("%!") + sp.verb + "(MISSING)";
      continue;
    }
    out += FormatOne(sp, args[argi++]);
  }
  if (argi < args.size()) {
    out += "%!(EXTRA ";
    for (size_t k = argi; k < args.size(); ++k) {
      if (k > argi) out += ", ";
      out += GoType(args[k]) + "=" + Plain(args[k]);
    }
    out += ")";
  }
  return out;
}

}  // namespace baton::policy
