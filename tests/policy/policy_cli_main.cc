// tests/policy/policy_cli_main.cc: a stand-alone `baton policy` for development and the CLI tests,
// so that they do not depend on the whole server binary.
#include <string>
#include <vector>

#include "server/cli/policy_cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return baton::RunPolicyCommand(args);
}
