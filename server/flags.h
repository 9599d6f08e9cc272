// server/flags.h
//
// A small command-line parser for baton's subcommands: `--name value`, `--name=value`, boolean
// `--name`, and positional arguments (everything after `--` is positional). Unknown flags are
// errors, so typos do not pass silently.
#pragma once

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
  // The value as a number, or InvalidArgument naming the flag.
  Result<double> Number(const std::string& name, double fallback) const;
};

// `valued` names flags that take a value; `boolean` names switches.
Result<Flags> ParseFlags(const std::vector<std::string>& args, const std::set<std::string>& valued,
                         const std::set<std::string>& boolean);

}  // namespace baton
