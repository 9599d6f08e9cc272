// Worktree isolation against real git repositories in a temporary directory: where a job's
// worktree comes from, what is kept of its work, and what `baton gc` may remove.
#include "server/jobs/job_worktree.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/command_run.h"
#include "tests/support/temp_dir.h"

namespace baton {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class JobWorktreeTest : public ::testing::Test {
 protected:
  // `git ARGS` in `dir` with a test identity; fails the test unless git exits 0. Its stdout.
  std::string Git(const std::string& dir, std::vector<std::string> args) {
    std::vector<std::string> argv = {"git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                                     "-c", "protocol.file.allow=always", "-C", dir};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = RunCommandToEnd({argv, dir});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return "";
    EXPECT_EQ(r->exit_code, 0) << args[0] << ": " << r->err;
    return r->out;
  }
  void Write(const std::string& path, const std::string& text) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << text;
  }
  // A repository with one commit: README and src/main.c.
  std::string MakeRepo(const std::string& name) {
    std::string repo = dir_.File(name);
    fs::create_directories(repo);
    Git(repo, {"init", "--quiet", "--initial-branch=main"});
    Write(repo + "/README", "hello\n");
    Write(repo + "/src/main.c", "int main() { return 0; }\n");
    Git(repo, {"add", "-A"});
    Git(repo, {"commit", "--quiet", "-m", "first"});
    return repo;
  }
  std::string Worktrees() { return dir_.File("state/worktrees"); }

  testing::TempDir dir_;
};

TEST_F(JobWorktreeTest, CwdOutsideAGitWorkTreeIsRefusedWithTheReason) {
  fs::create_directories(dir_.File("plain"));
  auto s = ResolveWorktreeSource(dir_.File("plain"), "");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("not in one"), std::string::npos) << s.status().message();
}

TEST_F(JobWorktreeTest, RepositoryWithoutCommitsNeedsOne) {
  std::string repo = dir_.File("empty");
  fs::create_directories(repo);
  Git(repo, {"init", "--quiet"});
  auto s = ResolveWorktreeSource(repo, "");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("no commits yet"), std::string::npos) << s.status().message();
}

TEST_F(JobWorktreeTest, UnknownBaseRefIsNamed) {
  std::string repo = MakeRepo("r");
  auto s = ResolveWorktreeSource(repo, "no-such-branch");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("\"no-such-branch\" does not name a commit"), std::string::npos)
      << s.status().message();
  EXPECT_FALSE(ResolveWorktreeSource(repo, "--output=x").ok());
}

TEST_F(JobWorktreeTest, JobChangesLandOnItsBranchAndTheCheckoutIsUntouched) {
  std::string repo = MakeRepo("r");
  // The user's own uncommitted edit: it is not the job's and stays where it is.
  Write(repo + "/README", "hello, edited by the user\n");
  auto source = ResolveWorktreeSource(repo + "/src", "");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ(source->subdir, "src");
  EXPECT_EQ(source->base_commit, Git(repo, {"rev-parse", "HEAD"}).substr(0, 40));

  auto wt = CreateJobWorktree(*source, Worktrees(), 7);
  ASSERT_TRUE(wt.ok()) << wt.status().ToString();
  EXPECT_EQ(wt->branch, "baton/job-7");
  EXPECT_EQ(wt->cwd, Worktrees() + "/job-7/src");
  EXPECT_EQ(Slurp(wt->path + "/README"), "hello\n");  // from the commit, not the user's edit

  Write(wt->cwd + "/main.c", "int main() { return 1; }\n");
  Write(wt->cwd + "/new.c", "// new\n// file\n");
  auto summary = FinishJobWorktree(*wt, 7, "fix the exit code\nsecond line");
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->files_changed, 2);
  EXPECT_EQ(summary->insertions, 3);
  EXPECT_EQ(summary->deletions, 1);
  EXPECT_EQ(summary->base, source->base_commit);
  EXPECT_NE(summary->head, summary->base);
  EXPECT_FALSE(fs::exists(wt->path));

  EXPECT_EQ(Git(repo, {"log", "-1", "--format=%s", "baton/job-7"}), "baton job 7: fix the exit code\n");
  EXPECT_EQ(Git(repo, {"rev-parse", "baton/job-7"}).substr(0, 40), summary->head);
  EXPECT_EQ(Git(repo, {"rev-parse", "HEAD"}).substr(0, 40), source->base_commit);
  EXPECT_EQ(Git(repo, {"status", "--porcelain"}), " M README\n");
  EXPECT_EQ(Slurp(repo + "/README"), "hello, edited by the user\n");
}

TEST_F(JobWorktreeTest, NothingChangedLeavesTheBranchAtItsBase) {
  std::string repo = MakeRepo("r");
  auto source = ResolveWorktreeSource(repo, "");
  ASSERT_TRUE(source.ok());
  auto wt = CreateJobWorktree(*source, Worktrees(), 3);
  ASSERT_TRUE(wt.ok()) << wt.status().ToString();
  auto summary = FinishJobWorktree(*wt, 3, "read only");
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->head, summary->base);
  EXPECT_EQ(summary->files_changed, 0);
}

TEST_F(JobWorktreeTest, ARetryContinuesFromWhatTheEarlierAttemptCommitted) {
  std::string repo = MakeRepo("r");
  auto source = ResolveWorktreeSource(repo, "");
  ASSERT_TRUE(source.ok());
  auto first = CreateJobWorktree(*source, Worktrees(), 9);
  ASSERT_TRUE(first.ok());
  Write(first->path + "/notes", "attempt 1\n");
  ASSERT_TRUE(FinishJobWorktree(*first, 9, "attempt 1").ok());
  auto second = CreateJobWorktree(*source, Worktrees(), 9);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(Slurp(second->path + "/notes"), "attempt 1\n");
  auto summary = FinishJobWorktree(*second, 9, "attempt 2");
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->files_changed, 1);  // still measured from the job's base
}

TEST_F(JobWorktreeTest, WorkLeftByADeadAttemptIsCommittedBeforeTheWorktreeIsMadeAnew) {
  std::string repo = MakeRepo("r");
  auto source = ResolveWorktreeSource(repo, "");
  ASSERT_TRUE(source.ok());
  auto lost = CreateJobWorktree(*source, Worktrees(), 4);
  ASSERT_TRUE(lost.ok());
  Write(lost->path + "/half-done", "x\n");  // its runner died here: never finished
  auto again = CreateJobWorktree(*source, Worktrees(), 4);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(Slurp(again->path + "/half-done"), "x\n");
  EXPECT_EQ(Git(repo, {"log", "-1", "--format=%s", "baton/job-4"}),
            "baton job 4: work left by an earlier attempt\n");
}

TEST_F(JobWorktreeTest, SubmodulesAreInitialisedAndTheWorktreeStillRemovable) {
  std::string lib = MakeRepo("lib");
  std::string repo = MakeRepo("r");
  Git(repo, {"submodule", "--quiet", "add", lib, "vendor/lib"});
  Git(repo, {"commit", "--quiet", "-m", "add lib"});
  auto source = ResolveWorktreeSource(repo, "");
  ASSERT_TRUE(source.ok());
  auto wt = CreateJobWorktree(*source, Worktrees(), 5);
  ASSERT_TRUE(wt.ok()) << wt.status().ToString();
  EXPECT_EQ(Slurp(wt->path + "/vendor/lib/README"), "hello\n");
  Write(wt->path + "/README", "changed\n");
  auto summary = FinishJobWorktree(*wt, 5, "with a submodule");
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->files_changed, 1);
  EXPECT_FALSE(fs::exists(wt->path));
}

TEST_F(JobWorktreeTest, GcPutsAwayOrphansWithTheirWorkAndKeepsRunningJobs) {
  std::string repo = MakeRepo("r");
  auto source = ResolveWorktreeSource(repo, "");
  ASSERT_TRUE(source.ok());
  auto orphan = CreateJobWorktree(*source, Worktrees(), 11);
  auto running = CreateJobWorktree(*source, Worktrees(), 12);
  ASSERT_TRUE(orphan.ok() && running.ok());
  Write(orphan->path + "/unsaved", "uncommitted work\n");
  fs::create_directories(Worktrees() + "/not-a-job");
  auto report = CollectOrphanWorktrees(Worktrees(), [](JobId id) { return id == 12; });
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->removed.size(), 1u);
  EXPECT_EQ(report->removed[0], orphan->path);
  ASSERT_EQ(report->kept.size(), 1u);
  EXPECT_NE(report->kept[0].find("job 12 is running"), std::string::npos) << report->kept[0];
  EXPECT_TRUE(fs::exists(running->path));
  EXPECT_TRUE(fs::exists(Worktrees() + "/not-a-job"));
  EXPECT_EQ(Git(repo, {"show", "baton/job-11:unsaved"}), "uncommitted work\n");
}

// Even when the state dir lies inside a repository of its own (a dotfiles repository).
TEST_F(JobWorktreeTest, GcKeepsADirectoryThatIsNoLongerAWorktree) {
  Git(dir_.File(""), {"init", "--quiet"});
  fs::create_directories(Worktrees() + "/job-21");
  Write(Worktrees() + "/job-21/precious", "data\n");
  auto report = CollectOrphanWorktrees(Worktrees(), [](JobId) { return false; });
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->removed.empty());
  ASSERT_EQ(report->kept.size(), 1u);
  EXPECT_TRUE(fs::exists(Worktrees() + "/job-21/precious"));
  std::string repo = MakeRepo("r");
  auto source = ResolveWorktreeSource(repo, "");
  ASSERT_TRUE(source.ok());
  auto wt = CreateJobWorktree(*source, Worktrees(), 21);
  ASSERT_FALSE(wt.ok());
  EXPECT_NE(wt.status().message().find("is not a git worktree"), std::string::npos);
  EXPECT_EQ(Git(dir_.File(""), {"status", "--porcelain", "--untracked-files=no"}), "");
}

TEST(CommandRunTest, CapturesBothStreamsAndTheExitCode) {
  auto r = RunCommandToEnd({{"sh", "-c", "echo out; echo err >&2; exit 3"}, "/"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
}

TEST(CommandRunTest, ADeadlineKillsTheWholeGroup) {
  auto r = RunCommandToEnd({{"sh", "-c", "sleep 30 & sleep 30"}, "/", {}, 300});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
}

TEST(CommandRunTest, AMissingProgramIsAnError) {
  auto r = RunCommandToEnd({{"no-such-program-baton"}, "/"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace baton
