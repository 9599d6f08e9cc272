// baton: durable background jobs for coding agents, over MCP.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "server/cli/commands.h"
#include "server/events/notify_command.h"
#include "server/cli/policy_cli.h"

namespace {

constexpr const char* kUsage = R"(baton — durable background jobs for coding agents (MCP server)

usage:
  baton serve --stdio [--db PATH]       MCP over stdio (what Claude Code starts)
  baton serve --http HOST:PORT [--db PATH]   MCP over Streamable HTTP at /mcp, metrics at /metrics
  baton web [--listen HOST:PORT] [--db PATH]  /metrics from the database, without MCP
  baton runner [--db PATH]              run jobs in the foreground (normally started on demand)
  baton enqueue [--queue Q] -- CMD ARG...
  baton status ID [--wait SECONDS] [--json]
  baton jobs [--state S] [--queue Q] [--label K=V] [--limit N] [--json]   (--state dead: dead letters)
  baton cancel ID [--no-cascade] [--reason TEXT]
  baton logs ID [--attempt N] [--stderr] [--follow]
  baton retry ID [--reason TEXT] [--policy DIR]   re-queue a dead, failed, cancelled or skipped job
  baton gc                          put away worktrees of isolated jobs that no longer run
  baton queue list | pause Q | resume Q | limit Q N|none
  baton schedule create NAME --cron EXPR [--tz ZONE] [--catch-up skip|run_once] -- CMD ARG...
  baton schedule list | delete NAME
  baton policy eval|test|check ...     evaluate, test or compile Rego policies
  baton notify --nats URL ...          run a command or webhook per job event (JetStream consumer)
  baton version

The database defaults to $BATON_DB, else $XDG_STATE_HOME/baton/baton.db, else
~/.local/state/baton/baton.db. Job templates come from --config FILE (serve), else
$XDG_CONFIG_HOME/baton/config.json when present. Run `baton COMMAND --help` for a command's options.
On a terminal, status --wait and logs --follow show the job's state, elapsed time and attempt on
stderr; piped, they print only the job's view or output.
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  std::string cmd = args[0];
  args.erase(args.begin());
  if (cmd == "serve") return baton::ServeCommand(args);
  if (cmd == "runner") return baton::RunnerCommand(args);
  if (cmd == "enqueue") return baton::EnqueueCommand(args);
  if (cmd == "status") return baton::StatusCommand(args);
  if (cmd == "jobs") return baton::JobsCommand(args);
  if (cmd == "cancel") return baton::CancelCommand(args);
  if (cmd == "logs") return baton::LogsCommand(args);
  if (cmd == "retry") return baton::RetryCommand(args);
  if (cmd == "gc") return baton::GcCommand(args);
  if (cmd == "queue") return baton::QueueCommand(args);
  if (cmd == "schedule") return baton::ScheduleCommand(args);
  if (cmd == "web") return baton::WebCommand(args);
  if (cmd == "policy") return baton::RunPolicyCommand(args);
  if (cmd == "notify") return baton::RunNotifyCommand(args);
  if (cmd == "version" || cmd == "--version") {
    std::printf("baton %s\n", BATON_VERSION);
    return 0;
  }
  std::fprintf(stderr, "baton: unknown command \"%s\"\n\n%s", cmd.c_str(), kUsage);
  return 2;
}
