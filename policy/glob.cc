// policy/glob.cc
#include "policy/glob.h"

#include <vector>

namespace baton::policy {
namespace {

constexpr size_t kMaxAlternatives = 256;

// Expands {a,b} alternatives (nested too) into plain patterns; false when malformed.
bool Expand(std::string_view p, std::vector<std::string>& out) {
  size_t open = std::string_view::npos;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') {
      ++i;
    } else if (p[i] == '[') {
      while (i < p.size() && p[i] != ']') ++i;
    } else if (p[i] == '{') {
      open = i;
      break;
    }
  }
  if (open == std::string_view::npos) {
    out.emplace_back(p);
    return out.size() <= kMaxAlternatives;
  }
  int depth = 0;
  std::vector<std::string_view> alts;
  size_t start = open + 1;
  for (size_t i = open; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\') {
      ++i;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (--depth == 0) {
        alts.push_back(p.substr(start, i - start));
        std::string_view prefix = p.substr(0, open), rest = p.substr(i + 1);
        for (auto a : alts) {
          if (!Expand(std::string(prefix) + std::string(a) + std::string(rest), out)) return false;
        }
        return true;
      }
    } else if (c == ',' && depth == 1) {
      alts.push_back(p.substr(start, i - start));
      start = i + 1;
    }
  }
  return false;  // unbalanced {
}

bool IsDelim(char c, std::string_view delims) { return delims.find(c) != std::string_view::npos; }

// Returns 1 match, 0 no match, -1 malformed.
int Match(std::string_view p, size_t pi, std::string_view s, size_t si, std::string_view delims,
          int budget) {
  if (budget <= 0) return 0;
  while (pi < p.size()) {
    char c = p[pi];
    if (c == '*') {
      bool super = pi + 1 < p.size() && p[pi + 1] == '*';
      size_t next = pi + (super ? 2 : 1);
      for (size_t k = si;; ++k) {
        int r = Match(p, next, s, k, delims, budget - 1);
        if (r != 0) return r;
        if (k >= s.size() || (!super && IsDelim(s[k], delims))) return 0;
      }
    }
    if (si >= s.size()) return 0;
    if (c == '?') {
      if (IsDelim(s[si], delims)) return 0;
      ++pi;
      ++si;
      continue;
    }
    if (c == '[') {
      size_t end = p.find(']', pi + 1);
      if (end == std::string_view::npos) return -1;
      std::string_view cls = p.substr(pi + 1, end - pi - 1);
      bool neg = !cls.empty() && (cls[0] == '!' || cls[0] == '^');
      if (neg) cls.remove_prefix(1);
      bool in = false;
      for (size_t k = 0; k < cls.size(); ++k) {
        if (k + 2 < cls.size() && cls[k + 1] == '-') {
          in = in || (s[si] >= cls[k] && s[si] <= cls[k + 2]);
          k += 2;
        } else {
          in = in || s[si] == cls[k];
        }
      }
      if (in == neg) return 0;
      pi = end + 1;
      ++si;
      continue;
    }
    if (c == '\\') {
      if (pi + 1 >= p.size()) return -1;
      c = p[++pi];
    }
    if (s[si] != c) return 0;
    ++pi;
    ++si;
  }
  return si == s.size() ? 1 : 0;
}

}  // namespace

std::optional<bool> GlobMatch(std::string_view pattern, std::string_view delimiters,
                              std::string_view text) {
  std::vector<std::string> pats;
  if (!Expand(pattern, pats)) return std::nullopt;
  for (const auto& p : pats) {
    int r = Match(p, 0, text, 0, delimiters, 100000);
    if (r < 0) return std::nullopt;
    if (r == 1) return true;
  }
  return false;
}

}  // namespace baton::policy
