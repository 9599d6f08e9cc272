// server/jobs/state_paths.h
//
// Where a database's companions live: job output logs, the runner's lock file and log, and the
// doorbell names of its runner. Everything derives from the database path, so `--db` moves all.
#pragma once

#include <string>

#include "base/result.h"

namespace baton {

struct StatePaths {
  std::string db;          // absolute
  std::string dir;         // the directory holding the database
  std::string logs_dir;    // <dir>/logs/<job>/<attempt>.out|.err
  std::string worktrees_dir;  // <dir>/worktrees/job-<id>: isolated jobs' git worktrees
  std::string runner_lock; // <db>.runner.lock (flock: exactly one runner per database)
  std::string runner_log;  // <dir>/runner.log
  std::string runner_bell; // abstract socket name of the runner's doorbell
  std::string bell_prefix; // front-ends' doorbells are <bell_prefix><pid>-<random>
};

// $BATON_DB, else $XDG_STATE_HOME/baton/baton.db, else ~/.local/state/baton/baton.db.
std::string DefaultDbPath();

// Creates the database directory (mode 0700) and resolves the companions of `db_path`.
Result<StatePaths> ResolveStatePaths(const std::string& db_path);

}  // namespace baton
