#include "storage/json_number.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace baton {

std::optional<int64_t> JsonInteger(const nlohmann::json& v, int64_t min, int64_t max) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    int64_t i = static_cast<int64_t>(u);
    if (i < min || i > max) return std::nullopt;
    return i;
  }
  if (!v.is_number_integer()) return std::nullopt;
  int64_t i = v.get<int64_t>();
  if (i < min || i > max) return std::nullopt;
  return i;
}

std::optional<double> JsonNumber(const nlohmann::json& v, double min, double max) {
  if (!v.is_number()) return std::nullopt;
  double d = v.get<double>();  // exact for floats; the nearest double for integers
  if (!std::isfinite(d) || d < min || d > max) return std::nullopt;
  return d;
}

}  // namespace baton
