#include "server/jobs/job_worktree.h"

#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <regex>

#include "base/command_run.h"
#include "base/parse_number.h"

extern char** environ;

namespace baton {

namespace {

constexpr int64_t kGitTimeoutMs = 120000;  // a submodule update of a large repository

// The caller's environment without what would point git elsewhere, in the C locale (the
// output is parsed), and never prompting.
std::vector<std::string> GitEnvironment() {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (kv.rfind("GIT_DIR=", 0) == 0 || kv.rfind("GIT_WORK_TREE=", 0) == 0 ||
        kv.rfind("GIT_INDEX_FILE=", 0) == 0 || kv.rfind("GIT_COMMON_DIR=", 0) == 0 ||
        kv.rfind("LC_ALL=", 0) == 0 || kv.rfind("LANG=", 0) == 0)
      continue;
    env.push_back(std::move(kv));
  }
  env.push_back("LC_ALL=C");
  env.push_back("GIT_TERMINAL_PROMPT=0");
  return env;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// `git -C dir ARGS...`: its result, or an error naming the git command and what git said.
Result<CommandResult> Git(const std::string& dir, std::vector<std::string> args) {
  std::vector<std::string> argv = {"git", "-C", dir};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = RunCommandToEnd({argv, dir, GitEnvironment(), kGitTimeoutMs});
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kInvalidArgument && !std::filesystem::is_directory(dir))
      return Status::InvalidArgument("directory " + dir + " does not exist");
    if (r.status().code() == StatusCode::kInvalidArgument)
      return Status::FailedPrecondition("git is not installed (needed for isolation \"worktree\")");
    return r.status();
  }
  return r;
}

// The same, failing unless git exits 0; `what` says what was being done.
Result<std::string> GitOut(const std::string& dir, std::vector<std::string> args,
                           const std::string& what) {
  BATON_ASSIGN_OR_RETURN(CommandResult r, Git(dir, args));
  if (!r.ok())
    return Status::FailedPrecondition(what + ": git " + args[0] + " failed: " +
                                      Trimmed(r.err.empty() ? r.out : r.err));
  return Trimmed(r.out);
}

// The same when only success matters.
Status GitDo(const std::string& dir, std::vector<std::string> args, const std::string& what) {
  return GitOut(dir, std::move(args), what).status();
}

// " 3 files changed, 10 insertions(+), 2 deletions(-)" (each part may be missing).
void ParseShortstat(const std::string& text, WorktreeSummary* s) {
  static const std::regex part(R"((\d+) (file|insertion|deletion))");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), part); it != std::sregex_iterator();
       ++it) {
    auto n = ParseInt64((*it)[1].str(), "count", 0, 1 << 30);
    if (!n.ok()) continue;
    const std::string kind = (*it)[2].str();
    (kind == "file" ? s->files_changed : kind == "insertion" ? s->insertions : s->deletions) =
        static_cast<int>(*n);
  }
}

// Commits everything that changed in `path` (tracked or not, ignored files aside) with
// `message`; no-op when nothing changed. The user's identity when git has one, else baton's;
// no hooks and no signing: an unattended commit must not wait on either.
Status CommitAll(const std::string& path, const std::string& message) {
  BATON_RETURN_IF_ERROR(GitDo(path, {"add", "-A"}, "staging the job's changes"));
  BATON_ASSIGN_OR_RETURN(CommandResult diff, Git(path, {"diff", "--cached", "--quiet"}));
  if (diff.exit_code == 0) return Status::OK();
  std::vector<std::string> args;
  BATON_ASSIGN_OR_RETURN(CommandResult who, Git(path, {"config", "user.email"}));
  if (!who.ok() || Trimmed(who.out).empty())
    args = {"-c", "user.name=baton", "-c", "user.email=baton@localhost"};
  for (const char* a : {"commit", "--no-verify", "--no-gpg-sign", "--quiet", "-m"}) args.push_back(a);
  args.push_back(message);
  return GitDo(path, args, "committing the job's changes");
}

Status RemoveWorktree(const std::string& repo, const std::string& path) {
  return GitDo(repo, {"worktree", "remove", "--force", "--force", path}, "removing the job's worktree");
}

// A worktree's top has a .git file (naming its repository's worktrees/ entry), not a folder:
// anything else under worktrees_dir is not ours to commit into (git would find an enclosing
// repository, such as a dotfiles repository holding the state dir).
bool IsWorktreeTop(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path + "/.git", ec);
}

std::string FirstLine(const std::string& text, size_t max) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > max) line = line.substr(0, max - 3) + "...";
  return line;
}

}  // namespace

std::string JobWorktreeBranch(JobId id) { return "baton/job-" + std::to_string(id); }

Result<WorktreeSource> ResolveWorktreeSource(const std::string& cwd, const std::string& base_ref) {
  BATON_ASSIGN_OR_RETURN(CommandResult top, Git(cwd, {"rev-parse", "--show-toplevel"}));
  if (!top.ok() || Trimmed(top.out).empty())
    return Status::InvalidArgument("isolation \"worktree\" needs a cwd inside a git work tree; " +
                                   cwd + " is not in one");
  WorktreeSource s;
  s.repo = Trimmed(top.out);
  BATON_ASSIGN_OR_RETURN(s.subdir, GitOut(cwd, {"rev-parse", "--show-prefix"}, "resolving the job's cwd"));
  if (!s.subdir.empty() && s.subdir.back() == '/') s.subdir.pop_back();
  const std::string ref = base_ref.empty() ? "HEAD" : base_ref;
  if (ref[0] == '-') return Status::InvalidArgument("base_ref must not start with '-'");
  BATON_ASSIGN_OR_RETURN(CommandResult base, Git(cwd, {"rev-parse", "--verify", "--quiet", ref + "^{commit}"}));
  if (!base.ok()) {
    if (base_ref.empty())
      return Status::InvalidArgument("isolation \"worktree\": the repository at " + s.repo +
                                     " has no commits yet; commit once, or give base_ref");
    return Status::InvalidArgument("base_ref \"" + base_ref + "\" does not name a commit in " + s.repo);
  }
  s.base_commit = Trimmed(base.out);
  return s;
}

Result<JobWorktree> CreateJobWorktree(const WorktreeSource& source,
                                      const std::string& worktrees_dir, JobId id) {
  JobWorktree wt;
  wt.repo = source.repo;
  wt.path = worktrees_dir + "/job-" + std::to_string(id);
  wt.branch = JobWorktreeBranch(id);
  wt.base = source.base_commit;
  wt.cwd = source.subdir.empty() ? wt.path : wt.path + "/" + source.subdir;
  std::error_code ec;
  std::filesystem::create_directories(worktrees_dir, ec);
  if (ec) return Status::Internal("cannot create " + worktrees_dir + ": " + ec.message());
  // An earlier attempt's worktree (its runner died before finishing it): its work goes on the
  // branch first, then it is made anew.
  if (std::filesystem::exists(wt.path)) {
    if (!IsWorktreeTop(wt.path))
      return Status::FailedPrecondition(wt.path + " exists and is not a git worktree; move it away");
    auto left = FinishJobWorktree(wt, id, "work left by an earlier attempt");
    if (!left.ok())
      return Status(left.status().code(), "the job's earlier worktree " + wt.path +
                                              " could not be put away: " + left.status().message());
  }
  BATON_RETURN_IF_ERROR(GitDo(source.repo, {"worktree", "prune"}, "pruning worktrees"));
  BATON_ASSIGN_OR_RETURN(CommandResult has_branch,
                         Git(source.repo, {"rev-parse", "--verify", "--quiet", "refs/heads/" + wt.branch}));
  std::vector<std::string> add = {"worktree", "add", "--quiet"};
  if (has_branch.ok()) add.insert(add.end(), {wt.path, wt.branch});
  else add.insert(add.end(), {"-b", wt.branch, wt.path, source.base_commit});
  BATON_RETURN_IF_ERROR(GitDo(source.repo, add, "creating the job's worktree"));
  if (std::filesystem::exists(wt.path + "/.gitmodules")) {
    // Submodules of the user's own repository: local (file) URLs are allowed here.
    Status sub = GitDo(wt.path, {"-c", "protocol.file.allow=always", "submodule", "update", "--init",
                                "--recursive", "--quiet"},
                      "initialising the worktree's submodules");
    if (!sub.ok()) {
      (void)RemoveWorktree(source.repo, wt.path);
      return sub;
    }
  }
  if (!std::filesystem::is_directory(wt.cwd)) {
    (void)RemoveWorktree(source.repo, wt.path);
    return Status::FailedPrecondition("the job's cwd " + source.subdir + " does not exist at " +
                                      wt.branch);
  }
  return wt;
}

Result<WorktreeSummary> FinishJobWorktree(const JobWorktree& wt, JobId id, const std::string& title) {
  BATON_RETURN_IF_ERROR(CommitAll(wt.path, "baton job " + std::to_string(id) + ": " + FirstLine(title, 72)));
  WorktreeSummary s;
  s.branch = wt.branch;
  s.base = wt.base;
  BATON_ASSIGN_OR_RETURN(s.head, GitOut(wt.path, {"rev-parse", "HEAD"}, "reading the job's head"));
  if (!s.base.empty()) {
    BATON_ASSIGN_OR_RETURN(std::string stat, GitOut(wt.path, {"diff", "--shortstat", s.base, s.head},
                                                    "measuring the job's changes"));
    ParseShortstat(stat, &s);
  }
  BATON_RETURN_IF_ERROR(RemoveWorktree(wt.repo, wt.path));
  return s;
}

Result<WorktreeGcReport> CollectOrphanWorktrees(const std::string& worktrees_dir,
                                                const std::function<bool(JobId)>& is_running) {
  WorktreeGcReport report;
  std::error_code ec;
  if (!std::filesystem::is_directory(worktrees_dir, ec)) return report;
  static const std::regex name(R"(job-(\d+))");
  for (const auto& entry : std::filesystem::directory_iterator(worktrees_dir, ec)) {
    const std::string path = entry.path().string();
    std::smatch m;
    const std::string file = entry.path().filename().string();
    if (!entry.is_directory() || !std::regex_match(file, m, name)) continue;
    auto id = ParseInt64(m[1].str(), "job id", 1, INT64_MAX);
    if (!id.ok()) continue;
    if (is_running(*id)) {
      report.kept.push_back(path + ": job " + m[1].str() + " is running");
      continue;
    }
    if (!IsWorktreeTop(path)) {
      report.kept.push_back(path + ": not a git worktree (no .git file)");
      continue;
    }
    auto common = GitOut(path, {"rev-parse", "--path-format=absolute", "--git-common-dir"},
                         "finding the worktree's repository");
    if (!common.ok()) {
      report.kept.push_back(path + ": not a git worktree any more (" + common.status().message() + ")");
      continue;
    }
    JobWorktree wt;
    wt.path = path;
    wt.repo = std::filesystem::path(*common).parent_path().string();
    wt.branch = JobWorktreeBranch(*id);
    auto finished = FinishJobWorktree(wt, *id, "work left in its worktree (baton gc)");
    if (finished.ok()) report.removed.push_back(path);
    else report.kept.push_back(path + ": " + finished.status().message());
  }
  return report;
}

}  // namespace baton
