// server/cli/flags.h
//
// A small command-line parser for baton's subcommands: `--name value`, `--name=value`, boolean
// `--name`, and positional arguments (everything after `--` is positional). Unknown flags are
// errors, so typos do not pass silently.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"

namespace baton {

struct Flags {
  std::map<std::string, std::string> values;
  std::set<std::string> switches;
  std::vector<std::string> positional;

  std::optional<std::string> Get(const std::string& name) const;
  bool Has(const std::string& name) const { return switches.count(name) > 0; }
  // The value as a number in [min, max] (`fallback` when the flag is absent), or
  // InvalidArgument naming the flag and the range (base/parse_number.h).
  Result<double> Number(const std::string& name, double fallback,
                        double min = std::numeric_limits<double>::lowest(),
                        double max = std::numeric_limits<double>::max()) const;
  // The same for a decimal integer.
  Result<int64_t> Integer(const std::string& name, int64_t fallback,
                          int64_t min = std::numeric_limits<int64_t>::min(),
                          int64_t max = std::numeric_limits<int64_t>::max()) const;
};

// `valued` names flags that take a value; `boolean` names switches.
Result<Flags> ParseFlags(const std::vector<std::string>& args, const std::set<std::string>& valued,
                         const std::set<std::string>& boolean);

}  // namespace baton
