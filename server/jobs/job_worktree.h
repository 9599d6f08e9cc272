// server/jobs/job_worktree.h
//
// Jobs with `isolation: "worktree"` (issue 19) run in a git worktree of their own, so that two
// agents never edit one checkout and the user's checkout is never touched:
//   enqueue   ResolveWorktreeSource: cwd must be in a git work tree with a commit to start from
//             (HEAD or base_ref), else a clear error before anything is queued;
//   start     CreateJobWorktree: <worktrees_dir>/job-<id> on branch baton/job-<id> (created at the
//             base on the first attempt and kept for later ones, so a retry continues from what
//             the earlier attempt committed), submodules initialised;
//   end       FinishJobWorktree: every change (not ignored) is committed on the branch as
//             "baton job <id>: <title>", base..head is measured, the worktree removed, the
//             branch kept;
//   `baton gc` CollectOrphanWorktrees: worktrees of jobs no longer running are finished the same
//             way, or kept when that fails; uncommitted work is never deleted.
// Everything goes through the git command line (git >= 2.25), bounded in time.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/job.h"

namespace baton {

// Where a worktree job comes from, resolved at enqueue.
struct WorktreeSource {
  std::string repo;         // the repository's top-level directory
  std::string subdir;       // the job's cwd below it ("" at the top)
  std::string base_commit;  // the commit the job starts from (full id)
};

// `base_ref` empty: HEAD.
Result<WorktreeSource> ResolveWorktreeSource(const std::string& cwd, const std::string& base_ref);

struct JobWorktree {
  std::string repo;    // the repository it belongs to
  std::string path;    // <worktrees_dir>/job-<id>
  std::string cwd;     // where the job runs: path + subdir
  std::string branch;  // baton/job-<id>
  std::string base;    // the commit the branch started from
};

std::string JobWorktreeBranch(JobId id);

Result<JobWorktree> CreateJobWorktree(const WorktreeSource& source,
                                      const std::string& worktrees_dir, JobId id);

struct WorktreeSummary {
  std::string branch, base, head;
  int files_changed = 0, insertions = 0, deletions = 0;  // base..head
};

// `title`: the commit's subject after "baton job <id>: " (one line, shortened).
Result<WorktreeSummary> FinishJobWorktree(const JobWorktree& worktree, JobId id,
                                          const std::string& title);

struct WorktreeGcReport {
  std::vector<std::string> removed;  // paths whose work is now on its branch, or was none
  std::vector<std::string> kept;     // "path: why" (its job runs, or finishing it failed)
};

// The worktrees under `worktrees_dir` (job-<id>) whose job `is_running` says no longer runs.
Result<WorktreeGcReport> CollectOrphanWorktrees(const std::string& worktrees_dir,
                                                const std::function<bool(JobId)>& is_running);

}  // namespace baton
