// policy/builtins_strings.cc: strings, sprintf, regex (RE2) and glob.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <memory>

#include <re2/re2.h>

#include "policy/builtins.h"
#include "policy/glob.h"
#include "policy/sprintf.h"

namespace baton::policy {
namespace {

using A = BuiltinArgs;

bool Strs(const A& a, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (!a.args[i].is_string()) return false;
  }
  return true;
}
bool SetStr(Value* o, std::string s) {
  *o = Value::String(std::move(s));
  return true;
}
bool SetBool(Value* o, bool b) {
  *o = Value::Bool(b);
  return true;
}

bool Concat(const A& a, Value* o) {
  if (!a.args[0].is_string() || !(a.args[1].is_array() || a.args[1].is_set())) return false;
  std::string out;
  bool first = true;
  for (const auto& e : a.args[1].items()) {
    if (!e.is_string()) return false;
    if (!first) out += a.args[0].str();
    first = false;
    out += e.str();
  }
  return SetStr(o, std::move(out));
}
bool Contains(const A& a, Value* o) {
  if (!Strs(a, 2)) return false;
  return SetBool(o, a.args[0].str().find(a.args[1].str()) != std::string::npos);
}
bool StartsWith(const A& a, Value* o) {
  if (!Strs(a, 2)) return false;
  return SetBool(o, a.args[0].str().rfind(a.args[1].str(), 0) == 0);
}
bool EndsWith(const A& a, Value* o) {
  if (!Strs(a, 2)) return false;
  const std::string &s = a.args[0].str(), &x = a.args[1].str();
  return SetBool(o, s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0);
}
bool Lower(const A& a, Value* o) {
  if (!Strs(a, 1)) return false;
  std::string s = a.args[0].str();
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return SetStr(o, std::move(s));
}
bool Upper(const A& a, Value* o) {
  if (!Strs(a, 1)) return false;
  std::string s = a.args[0].str();
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return SetStr(o, std::move(s));
}

// UTF-8 code points of s (each as a string).
std::vector<std::string> Chars(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    size_t n = 1;
    while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

bool Split(const A& a, Value* o) {
  if (!Strs(a, 2)) return false;
  const std::string &s = a.args[0].str(), &d = a.args[1].str();
  ValueVector parts;
  if (d.empty()) {
    for (auto& c : Chars(s)) parts.push_back(Value::String(c));
  } else {
    size_t start = 0;
    while (true) {
      size_t pos = s.find(d, start);
      if (pos == std::string::npos) break;
      parts.push_back(Value::String(s.substr(start, pos - start)));
      start = pos + d.size();
    }
    parts.push_back(Value::String(s.substr(start)));
  }
  *o = Value::Array(std::move(parts));
  return true;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

bool TrimSpace(const A& a, Value* o) {
  if (!Strs(a, 1)) return false;
  const std::string& s = a.args[0].str();
  size_t b = 0, e = s.size();
  while (b < e && IsSpace(s[b])) ++b;
  while (e > b && IsSpace(s[e - 1])) --e;
  return SetStr(o, s.substr(b, e - b));
}
bool TrimImpl(const A& a, Value* o, bool left, bool right) {
  if (!Strs(a, 2)) return false;
  const std::string &s = a.args[0].str(), &cut = a.args[1].str();
  size_t b = 0, e = s.size();
  while (left && b < e && cut.find(s[b]) != std::string::npos) ++b;
  while (right && e > b && cut.find(s[e - 1]) != std::string::npos) --e;
  return SetStr(o, s.substr(b, e - b));
}
bool Trim(const A& a, Value* o) { return TrimImpl(a, o, true, true); }
bool TrimLeft(const A& a, Value* o) { return TrimImpl(a, o, true, false); }
bool TrimRight(const A& a, Value* o) { return TrimImpl(a, o, false, true); }
bool TrimPrefix(const A& a, Value* o) {
  if (!Strs(a, 2)) return false;
  const std::string &s = a.args[0].str(), &p = a.args[1].str();
  return SetStr(o, s.rfind(p, 0) == 0 ? s.substr(p.size()) : s);
}
bool TrimSuffix(const A& a, Value* o) {
  if (!Strs(a, 2)) return false;
  const std::string &s = a.args[0].str(), &p = a.args[1].str();
  bool ends = s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
  return SetStr(o, ends ? s.substr(0, s.size() - p.size()) : s);
}
bool Replace(const A& a, Value* o) {
  if (!Strs(a, 3)) return false;
  const std::string &s = a.args[0].str(), &from = a.args[1].str(), &to = a.args[2].str();
  if (from.empty()) {
    std::string out = to;
    for (auto& c : Chars(s)) out += c + to;
    return SetStr(o, std::move(out));
  }
  std::string out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(from, start);
    if (pos == std::string::npos) break;
    out += s.substr(start, pos - start) + to;
    start = pos + from.size();
  }
  out += s.substr(start);
  return SetStr(o, std::move(out));
}
bool Sprintf(const A& a, Value* o) {
  if (!a.args[0].is_string() || !a.args[1].is_array()) return false;
  return SetStr(o, GoSprintf(a.args[0].str(), a.args[1].items()));
}
bool IndexOf(const A& a, Value* o) {
  if (!Strs(a, 2)) return false;
  size_t pos = a.args[0].str().find(a.args[1].str());
  if (pos == std::string::npos) {
    *o = Value::Int(-1);
    return true;
  }
  int64_t cps = 0;  // code point index
  for (size_t i = 0; i < pos; ++i) cps += (static_cast<unsigned char>(a.args[0].str()[i]) & 0xC0) != 0x80;
  *o = Value::Int(cps);
  return true;
}
bool Substring(const A& a, Value* o) {
  if (!a.args[0].is_string() || !a.args[1].is_int() || !a.args[2].is_int()) return false;
  auto chars = Chars(a.args[0].str());
  int64_t start = a.args[1].int_value(), len = a.args[2].int_value();
  if (start < 0) return false;
  int64_t n = static_cast<int64_t>(chars.size());
  if (start >= n) return SetStr(o, "");
  int64_t end = len < 0 || start + len > n ? n : start + len;
  std::string out;
  for (int64_t i = start; i < end; ++i) out += chars[static_cast<size_t>(i)];
  return SetStr(o, std::move(out));
}
bool FormatInt(const A& a, Value* o) {
  if (!a.args[0].is_number() || !a.args[1].is_int()) return false;
  int64_t base = a.args[1].int_value();
  if (base != 2 && base != 8 && base != 10 && base != 16) return false;
  // Truncates toward zero, as OPA does; an int64 is used as it is (exact).
  const Value& x = a.args[0];
  double d = x.is_int() ? 0 : std::trunc(x.number());
  if (!x.is_int() && !(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return false;
  int64_t i = x.is_int() ? x.int_value() : static_cast<int64_t>(d);
  uint64_t u = i < 0 ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
  std::string s;
  do {
    s.insert(s.begin(), "0123456789abcdef"[u % static_cast<uint64_t>(base)]);
    u /= static_cast<uint64_t>(base);
  } while (u);
  return SetStr(o, i < 0 ? "-" + s : s);
}

// The precompiled regex when the pattern was a constant, else one compiled now.
const re2::RE2* Regex(const A& a, std::unique_ptr<re2::RE2>& holder) {
  if (a.regex) return a.regex;
  holder = std::make_unique<re2::RE2>(a.args[0].str(), re2::RE2::Quiet);
  return holder->ok() ? holder.get() : nullptr;
}
bool RegexMatch(const A& a, Value* o) {
  if (!Strs(a, 2)) return false;
  std::unique_ptr<re2::RE2> h;
  const re2::RE2* re = Regex(a, h);
  if (!re) return false;
  return SetBool(o, re2::RE2::PartialMatch(a.args[1].str(), *re));
}
bool RegexIsValid(const A& a, Value* o) {
  if (!a.args[0].is_string()) return SetBool(o, false);
  return SetBool(o, re2::RE2(a.args[0].str(), re2::RE2::Quiet).ok());
}
// All non-overlapping matches as [start, end) byte offsets (Go's FindAllStringIndex, n < 0: all).
std::vector<std::pair<size_t, size_t>> FindAll(const re2::RE2& re, const std::string& s, int64_t n) {
  std::vector<std::pair<size_t, size_t>> out;
  re2::StringPiece input(s);
  size_t pos = 0;
  size_t prev_end = std::string::npos;
  while (pos <= s.size() && (n < 0 || static_cast<int64_t>(out.size()) < n)) {
    re2::StringPiece m;
    if (!re.Match(input, pos, s.size(), re2::RE2::UNANCHORED, &m, 1)) break;
    size_t start = static_cast<size_t>(m.data() - s.data());
    size_t end = start + m.size();
    if (m.empty() && start == prev_end) {  // Go skips an empty match right after a match
      pos = start + 1;
      continue;
    }
    out.emplace_back(start, end);
    prev_end = end;
    pos = m.empty() ? end + 1 : end;
  }
  return out;
}
bool RegexSplit(const A& a, Value* o) {
  if (!Strs(a, 2)) return false;
  std::unique_ptr<re2::RE2> h;
  const re2::RE2* re = Regex(a, h);
  if (!re) return false;
  const std::string& s = a.args[1].str();
  ValueVector parts;  // Go's regexp.Split(s, -1)
  size_t beg = 0, last = 0;
  for (auto [start, end] : FindAll(*re, s, -1)) {
    last = start;
    if (end != 0) parts.push_back(Value::String(s.substr(beg, start - beg)));
    beg = end;
  }
  if (last != s.size() || parts.empty()) parts.push_back(Value::String(s.substr(beg)));
  *o = Value::Array(std::move(parts));
  return true;
}
bool RegexFindN(const A& a, Value* o) {
  if (!Strs(a, 2) || !a.args[2].is_int()) return false;
  std::unique_ptr<re2::RE2> h;
  const re2::RE2* re = Regex(a, h);
  if (!re) return false;
  const std::string& s = a.args[1].str();
  ValueVector out;
  for (auto [start, end] : FindAll(*re, s, a.args[2].int_value())) {
    out.push_back(Value::String(s.substr(start, end - start)));
  }
  *o = Value::Array(std::move(out));
  return true;
}
bool GlobMatchFn(const A& a, Value* o) {
  if (!a.args[0].is_string() || !a.args[2].is_string()) return false;
  std::string delims;
  const Value& d = a.args[1];
  if (d.is_null()) {
    delims = "";
  } else if (d.is_array()) {
    for (const auto& e : d.items()) {
      if (!e.is_string()) return false;
      delims += e.str();
    }
    if (d.items().empty()) delims = ".";
  } else {
    return false;
  }
  auto r = GlobMatch(a.args[0].str(), delims, a.args[2].str());
  if (!r) return false;
  return SetBool(o, *r);
}

const Builtin kStrings[] = {
    {"concat", 2, Concat},
    {"contains", 2, Contains},
    {"startswith", 2, StartsWith},
    {"endswith", 2, EndsWith},
    {"lower", 1, Lower},
    {"upper", 1, Upper},
    {"split", 2, Split},
    {"trim_space", 1, TrimSpace},
    {"trim", 2, Trim},
    {"trim_left", 2, TrimLeft},
    {"trim_right", 2, TrimRight},
    {"trim_prefix", 2, TrimPrefix},
    {"trim_suffix", 2, TrimSuffix},
    {"replace", 3, Replace},
    {"sprintf", 2, Sprintf},
    {"indexof", 2, IndexOf},
    {"substring", 3, Substring},
    {"format_int", 2, FormatInt},
    {"regex.match", 2, RegexMatch, true},
    {"regex.is_valid", 1, RegexIsValid},
    {"regex.split", 2, RegexSplit, true},
    {"regex.find_n", 3, RegexFindN, true},
    {"glob.match", 3, GlobMatchFn},
};

}  // namespace

BuiltinTable StringBuiltins() { return {kStrings, sizeof(kStrings) / sizeof(kStrings[0])}; }

}  // namespace baton::policy
