#include "server/runner/isolated_attempt.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "base/port_block.h"

namespace baton {

Result<JobWorktree> PrepareIsolatedAttempt(const Job& job, const std::string& worktrees_dir,
                                           LaunchRequest* request) {
  auto source = ResolveWorktreeSource(job.spec.cwd, job.spec.base_ref);
  if (!source.ok()) return Status(source.status().code(), "worktree: " + source.status().message());
  auto wt = CreateJobWorktree(*source, worktrees_dir, job.id);
  if (!wt.ok()) return Status(wt.status().code(), "worktree: " + wt.status().message());
  auto ports = FindFreePortBlock(kPortBlockSize);
  if (!ports.ok()) {
    (void)FinishJobWorktree(*wt, job.id, "not started");
    return ports.status();
  }
  request->cwd = wt->cwd;
  request->env.push_back("BATON_WORKTREE=" + wt->path);
  request->env.push_back("BATON_WORKTREE_BRANCH=" + wt->branch);
  request->env.push_back("BATON_PORT_BASE=" + std::to_string(*ports));
  // PWD as a shell would set it: scripts that read it see the worktree, not the user's checkout.
  for (std::string& kv : request->env)
    if (kv.rfind("PWD=", 0) == 0) kv = "PWD=" + wt->cwd;
  return wt;
}

std::string PutAwayIsolatedAttempt(const JobWorktree& worktree, const Job& job, int attempt,
                                   AttemptOutcome outcome) {
  std::string what = job.spec.name;
  if (what.empty())
    for (const std::string& arg : job.spec.command) what += (what.empty() ? "" : " ") + arg;
  const std::string title = what + " (attempt " + std::to_string(attempt) + ", " +
                            ToString(outcome) + ")";
  auto summary = FinishJobWorktree(worktree, job.id, title);
  nlohmann::json j = {{"branch", worktree.branch}, {"base", worktree.base}};
  if (!summary.ok()) {
    spdlog::error("job {}: its worktree {} was not put away: {}", job.id, worktree.path,
                  summary.status().message());
    j["path"] = worktree.path;
    j["error"] = summary.status().message();
    return j.dump();
  }
  j["head"] = summary->head;
  j["files_changed"] = summary->files_changed;
  j["insertions"] = summary->insertions;
  j["deletions"] = summary->deletions;
  return j.dump();
}

}  // namespace baton
