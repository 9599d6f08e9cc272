#include "storage/schedule.h"

namespace baton {

const char* ToString(CatchUp c) { return c == CatchUp::kRunOnce ? "run_once" : "skip"; }

std::optional<CatchUp> CatchUpFromString(std::string_view s) {
  if (s == "skip") return CatchUp::kSkip;
  if (s == "run_once") return CatchUp::kRunOnce;
  return std::nullopt;
}

}  // namespace baton
