#include "base/did_you_mean.h"

#include <algorithm>
#include <cctype>

namespace baton {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Levenshtein distance with adjacent transpositions counted as one edit.
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string ClosestName(std::string_view word, const std::vector<std::string>& known) {
  const std::string w = Lower(word);
  if (w.empty() || w.size() > 64) return "";
  std::string best;
  size_t best_score = SIZE_MAX;
  for (const std::string& name : known) {
    const std::string n = Lower(name);
    size_t score = EditDistance(w, n);
    // `timeout` for `timeout_seconds`, `cmd`-like prefixes: as close as one edit.
    if (w.size() >= 3 && (n.rfind(w, 0) == 0 || n.find(w) != std::string::npos)) score = 1;
    if (score < best_score) {
      best_score = score;
      best = name;
    }
  }
  // Close enough: a third of the word's letters may differ (at least 1, at most 3).
  size_t allowed = std::clamp<size_t>(w.size() / 3, 1, 3);
  return best_score <= allowed ? best : "";
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& known) {
  std::string name = ClosestName(word, known);
  return name.empty() ? "" : " (did you mean `" + name + "`?)";
}

}  // namespace baton
