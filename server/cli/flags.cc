#include "server/cli/flags.h"

#include <cctype>

#include "base/parse_number.h"

namespace baton {

std::optional<std::string> Flags::Get(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

Result<double> Flags::Number(const std::string& name, double fallback, double min,
                             double max) const {
  auto v = Get(name);
  if (!v) return fallback;
  return ParseDouble(*v, "--" + name, min, max);
}

Result<int64_t> Flags::Integer(const std::string& name, int64_t fallback, int64_t min,
                               int64_t max) const {
  auto v = Get(name);
  if (!v) return fallback;
  return ParseInt64(*v, "--" + name, min, max);
}

Result<Flags> ParseFlags(const std::vector<std::string>& args, const std::set<std::string>& valued,
                         const std::set<std::string>& boolean) {
  Flags f;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      f.positional.insert(f.positional.end(), args.begin() + i + 1, args.end());
      break;
    }
    if (a.size() > 1 && a[0] == '-' && !(a.size() > 1 && std::isdigit(static_cast<unsigned char>(a[1])))) {
      std::string name = a.substr(a[1] == '-' ? 2 : 1);
      std::optional<std::string> inline_value;
      if (size_t eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      if (valued.count(name)) {
        if (inline_value) {
          f.values[name] = *inline_value;
        } else {
          if (i + 1 >= args.size()) return Status::InvalidArgument("--" + name + " needs a value");
          f.values[name] = args[++i];
        }
      } else if (boolean.count(name) && !inline_value) {
        f.switches.insert(name);
      } else {
        return Status::InvalidArgument("unknown option " + a);
      }
      continue;
    }
    f.positional.push_back(a);
  }
  return f;
}

}  // namespace baton
