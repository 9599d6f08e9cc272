#include "server/cli/serve_flags.h"

#include <filesystem>

#include "server/cli/event_flags.h"
#include "server/cli/news_flags.h"

namespace baton {

std::set<std::string> PolicyFlagNames() {
  return {"policy", "policy-data", "policy-query", "opa-url", "opa-timeout-ms"};
}

std::vector<std::string> PolicyFlagsAsArgs(const Flags& flags) {
  std::vector<std::string> args;
  for (const std::string& name : PolicyFlagNames())
    if (auto v = flags.Get(name)) {
      std::string value = *v;
      // The runner starts in another directory: pass paths absolute.
      if ((name == "policy" || name == "policy-data") && !value.empty() && value[0] != '/') {
        std::error_code ec;
        value = std::filesystem::absolute(value, ec).string();
      }
      args.insert(args.end(), {"--" + name, value});
    }
  return args;
}

std::set<std::string> SharedServeFlagNames() {
  std::set<std::string> names = PolicyFlagNames();
  names.insert("config");
  names.insert("synchronous");
  names.insert(EventFlagNames().begin(), EventFlagNames().end());
  names.insert(NewsFlagNames().begin(), NewsFlagNames().end());
  return names;
}

Status ApplyPolicyFlags(const Flags& flags, PolicyOptions* o) {
  if (auto v = flags.Get("policy")) o->policy_dir = *v;
  if (auto v = flags.Get("policy-data")) o->data_file = *v;
  if (auto v = flags.Get("policy-query")) o->query_path = *v;
  if (auto v = flags.Get("opa-url")) o->opa_url = *v;
  BATON_ASSIGN_OR_RETURN(double t, flags.Number("opa-timeout-ms", o->opa_timeout_ms));
  if (t < 1 || t > 60000) return Status::InvalidArgument("--opa-timeout-ms must be from 1 to 60000");
  o->opa_timeout_ms = static_cast<int>(t);
  if (!o->policy_dir.empty() && !o->opa_url.empty())
    return Status::InvalidArgument("give --policy or --opa-url, not both");
  return Status::OK();
}

Result<bool> SynchronousFullFlag(const Flags& flags) {
  std::string v = flags.Get("synchronous").value_or("normal");
  if (v != "normal" && v != "full")
    return Status::InvalidArgument("--synchronous must be normal (an acknowledged job survives a "
                                   "crash of baton) or full (it survives power loss too), not \"" +
                                   v + "\"");
  return v == "full";
}

}  // namespace baton
