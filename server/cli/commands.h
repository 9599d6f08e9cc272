// server/cli/commands.h
//
// baton's subcommands. Each takes the arguments after its name and returns the exit code.
// main() dispatches to them; each one is the composition root of its process (the only code
// that builds concrete classes and wires them together).
#pragma once

#include <string>
#include <vector>

namespace baton {

using Args = std::vector<std::string>;

int ServeCommand(const Args& args);    // baton serve --stdio
int RunnerCommand(const Args& args);   // baton runner
int EnqueueCommand(const Args& args);  // baton enqueue -- CMD...
int StatusCommand(const Args& args);   // baton status ID [--wait S]
int JobsCommand(const Args& args);     // baton jobs [--state S] [--queue Q]
int CancelCommand(const Args& args);   // baton cancel ID
int LogsCommand(const Args& args);     // baton logs ID [--stderr] [-f]
int GcCommand(const Args& args);       // baton gc: put away orphaned job worktrees
int RetryCommand(const Args& args);    // baton retry ID: re-queue a dead/failed job
int QueueCommand(const Args& args);    // baton queue list|pause|resume|limit
int ScheduleCommand(const Args& args); // baton schedule create|list|delete
int WebCommand(const Args& args);      // baton web [--listen ADDR]: /metrics from the db

}  // namespace baton
