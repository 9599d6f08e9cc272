// server/cli/policy_cli.h
//
// The `baton policy` subcommand (the I/O around the pure evaluator in policy/):
//   baton policy eval --policy DIR|FILE --input FILE|- [--data FILE] [--query data.baton]
//       prints the decision as JSON ({"allow", "deny", "errors"}); exit 0 allowed, 1 denied.
//   baton policy test DIR|FILE [--data FILE]
//       runs every test_* rule; one line per failure, then "N passed, N failed"; exit 0 when all pass.
//   baton policy check DIR|FILE
//       compiles only; errors name file:line:col; exit 0 when the policy compiles.
// A directory contributes its *.rego files (not its subdirectories). Usage errors exit 2.
// Writes results to stdout and errors to stderr. Not thread-safe (uses the process's streams).
#pragma once

#include <string>
#include <vector>

namespace baton {

// `args` are the words after `baton policy` (a leading "policy" is skipped too).
int RunPolicyCommand(const std::vector<std::string>& args);

}  // namespace baton
