#include "server/serve_flags.h"

#include "server/event_flags.h"
#include "server/news_flags.h"

namespace baton {

std::set<std::string> SharedServeFlagNames() {
  std::set<std::string> names = {"policy", "policy-data", "policy-query", "opa-url",
                                 "opa-timeout-ms"};
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

}  // namespace baton
