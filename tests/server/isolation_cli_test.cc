// isolation "worktree" end to end through the real binary: the job runs in a worktree of its
// own, its change lands on baton/job-<id>, status shows the branch and what changed, and the
// user's checkout is untouched. A cwd outside git is refused at enqueue.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "base/command_run.h"
#include "server/jobs/job_worktree.h"
#include "tests/support/cli_fixture.h"

namespace baton {
namespace {

class IsolationCliTest : public testing::CliFixture {
 protected:
  std::string Git(const std::string& dir, std::vector<std::string> args) {
    std::vector<std::string> argv = {"git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                                     "-C", dir};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = RunCommandToEnd({argv, dir});
    EXPECT_TRUE(r.ok() && r->exit_code == 0) << args[0];
    return r.ok() ? r->out : "";
  }
  // A repository with one commit holding README ("hello").
  std::string MakeRepo() {
  std::string repo = dir_.File("repo");
  std::filesystem::create_directories(repo);
  Git(repo, {"init", "--quiet"});
  std::ofstream(repo + "/README") << "hello\n";
  Git(repo, {"add", "-A"});
  Git(repo, {"commit", "--quiet", "-m", "first"});
    return repo;
  }
};

TEST_F(IsolationCliTest, AJobEditsItsOwnWorktreeAndTheCheckoutStaysClean) {
  std::string repo = MakeRepo();
  auto [rc, out] = Baton({"enqueue", "--cwd", repo, "--isolation", "worktree", "--", "sh", "-c",
                          "echo more >> README; test \"$PWD\" = \"$BATON_WORKTREE\" && "
                          "test -n \"$BATON_PORT_BASE\""});
  ASSERT_EQ(rc, 0) << out;
  std::string id = out.substr(0, out.find('\n'));
  auto [src, status] = Baton({"status", id, "--wait", "30", "--json"});
  ASSERT_EQ(src, 0) << status;
  auto v = nlohmann::json::parse(status);
  EXPECT_EQ(v.value("state", ""), "succeeded") << status;
  ASSERT_TRUE(v.contains("worktree")) << status;
  EXPECT_EQ(v["worktree"].value("branch", ""), "baton/job-" + id);
  EXPECT_EQ(v["worktree"].value("files_changed", 0), 1) << status;
  EXPECT_EQ(v["worktree"].value("insertions", 0), 1) << status;
  EXPECT_EQ(Git(repo, {"status", "--porcelain"}), "");
  EXPECT_EQ(Git(repo, {"show", "baton/job-" + id + ":README"}), "hello\nmore\n");
}

TEST_F(IsolationCliTest, ACwdOutsideGitIsRefusedAtEnqueue) {
  std::filesystem::create_directories(dir_.File("plain"));
  auto [rc, out] = Baton({"enqueue", "--cwd", dir_.File("plain"), "--isolation", "worktree", "--",
                          "true"});
  EXPECT_NE(rc, 0);
  EXPECT_EQ(out, "");
}

// A worktree whose job is gone (a runner died, retention deleted the job): gc commits what it
// held on the branch, then removes it.
TEST_F(IsolationCliTest, GcPutsAwayTheWorktreeOfAJobThatNoLongerRuns) {
  std::string repo = MakeRepo();
  ASSERT_EQ(Baton({"jobs"}).first, 0);  // the database exists
  auto source = ResolveWorktreeSource(repo, "");
  ASSERT_TRUE(source.ok());
  auto wt = CreateJobWorktree(*source, dir_.File("worktrees"), 99);
  ASSERT_TRUE(wt.ok()) << wt.status().ToString();
  std::ofstream(wt->path + "/unsaved") << "work\n";
  auto [rc, out] = Baton({"gc"});
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("removed " + wt->path), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(wt->path));
  EXPECT_EQ(Git(repo, {"show", "baton/job-99:unsaved"}), "work\n");
}

}  // namespace
}  // namespace baton
