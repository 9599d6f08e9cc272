// server/guard/policy_options.h
//
// How the policy check is configured (`--policy`, `--policy-data`, `--policy-query`, `--opa-url`):
// which backend decides, and what the decision log masks.
#pragma once

#include <string>
#include <vector>

namespace baton {

struct PolicyOptions {
  std::string policy_dir;   // *.rego files; empty: the built-in policy that allows everything
  std::string data_file;    // JSON for `data` (e.g. {"baton": {"config": {...}}}); optional
  std::string query_path = "data.baton";
  std::string opa_url;      // e.g. http://127.0.0.1:8181/v1/data/baton: delegate to OPA
  int opa_timeout_ms = 2000;
  // Input paths replaced by "<masked>" in the decision log, e.g. "arguments.env", "arguments.stdin".
  std::vector<std::string> mask_paths = {"arguments.env", "arguments.stdin"};
  // When the policy does not compile at start: false = Create fails; true = start anyway and
  // deny every check until a policy that compiles is loaded (the runner: jobs already admitted
  // still run, jobs it creates are denied).
  bool start_denying_when_broken = false;
};

}  // namespace baton
