// server/runner/isolated_attempt.h
//
// The runner's side of `isolation: "worktree"`: before an attempt starts, its worktree is made
// (server/jobs/job_worktree.h) and the launch moved into it, with BATON_WORKTREE,
// BATON_WORKTREE_BRANCH and BATON_PORT_BASE (10 free loopback ports) in its environment; after
// it ends (however: exit, timeout, cancel), its work is committed on the branch and the worktree
// removed, and the summary kept with the attempt. The git commands run on the runner's thread,
// bounded in time: a fraction of a second for an ordinary repository.
#pragma once

#include <string>

#include "base/result.h"
#include "server/jobs/job_worktree.h"
#include "server/runner/executor.h"
#include "storage/job.h"

namespace baton {

constexpr int kPortBlockSize = 10;

// Makes the attempt's worktree and points `request` at it.
Result<JobWorktree> PrepareIsolatedAttempt(const Job& job, const std::string& worktrees_dir,
                                           LaunchRequest* request);

// Commits and removes the worktree; the attempt's worktree summary as JSON ({branch, base, head,
// files_changed, insertions, deletions}, or {branch, path, error} when it could not be put away:
// its work then stays in the worktree for `baton gc`).
std::string PutAwayIsolatedAttempt(const JobWorktree& worktree, const Job& job, int attempt,
                                   AttemptOutcome outcome);

}  // namespace baton
