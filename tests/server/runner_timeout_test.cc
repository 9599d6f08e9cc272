// Timeouts that kill: the whole process group ends (SIGTERM, grace, SIGKILL), including a
// grandchild that ignores SIGTERM; nothing survives, and no zombie is left.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/server/runner_fixture.h"

namespace baton {
namespace {

class RunnerTimeoutTest : public testing::RunnerFixture {
 protected:
  // True when /proc has no entry for pid: neither alive nor a zombie.
  static bool Gone(pid_t pid) {
    struct stat st;
    return stat(("/proc/" + std::to_string(pid)).c_str(), &st) != 0;
  }
  pid_t ReadPid(const std::string& name) {
    return static_cast<pid_t>(std::atoi(baton::testing::ReadFile(dir_.File(name)).c_str()));
  }
};

// The leader and a background grandchild both ignore SIGTERM; the leader records both pids.
constexpr const char* kStubborn =
    "trap '' TERM; (trap '' TERM; exec sleep 60) & echo $! > grandchild; echo $$ > leader; "
    "echo started; wait";

TEST_F(RunnerTimeoutTest, WallClockTimeoutKillsTheWholeGroup) {
  StartRunner();
  struct Case { const char* option; AttemptOutcome outcome; };
  const Case kCases[] = {{"timeout_seconds", AttemptOutcome::kTimeout},
                         {"inactivity_timeout_seconds", AttemptOutcome::kInactivityTimeout}};
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.option);
    unlink(dir_.File("leader").c_str());
    unlink(dir_.File("grandchild").c_str());
    // 2 s, not less: on a loaded CI machine the shell may need more than half a second to
    // write its pid files and print, and an inactivity timeout must not fire before "started".
    JobId id = Enqueue({{"command", {"sh", "-c", kStubborn}}, {c.option, 2.0}});
    int64_t start = MonotonicMs();
    ASSERT_TRUE(RunUntilState(id, JobState::kFailed, 20000));
    int64_t took = MonotonicMs() - start;
    EXPECT_GE(took, 2400);   // 2 s timeout + 0.5 s grace (SIGTERM was ignored)
    EXPECT_LT(took, 12000);
    pid_t leader = ReadPid("leader"), grandchild = ReadPid("grandchild");
    ASSERT_GT(leader, 1);
    ASSERT_GT(grandchild, 1);
    // The runner reaps re-parented grandchildren (it is a child subreaper) on its next passes.
    EXPECT_TRUE(RunUntil([&] { return Gone(leader) && Gone(grandchild); }, 3000))
        << "a process of the job's group survived or is a zombie";
    auto attempts = store_->Attempts(id);
    ASSERT_EQ(attempts->size(), 1u);
    EXPECT_EQ((*attempts)[0].outcome, c.outcome);
    EXPECT_EQ((*attempts)[0].signal, SIGKILL);
    auto job = store_->Get(id);
    EXPECT_NE(job->error.find("s"), std::string::npos);
    EXPECT_EQ(job->stdout_tail, "started\n");
  }
}

TEST_F(RunnerTimeoutTest, ProcessesThatLeftTheGroupDieToo) {
  StartRunner();
  // A grandchild in its own session (setsid), ignoring SIGTERM: outside the process group.
  JobId id = Enqueue({{"command", {"sh", "-c",
                                   "setsid sh -c 'trap \"\" TERM; echo $$ > escapee; exec sleep 60' "
                                   "> /dev/null 2>&1 & sleep 60"}},
                      {"timeout_seconds", 0.5}});
  ASSERT_TRUE(RunUntilState(id, JobState::kFailed, 10000));
  pid_t escapee = ReadPid("escapee");
  ASSERT_GT(escapee, 1);
  EXPECT_TRUE(RunUntil([&] { return Gone(escapee); }, 3000)) << "the setsid escapee survived";
}

TEST_F(RunnerTimeoutTest, OutputKeepsAnInactivityTimeoutAtBay) {
  StartRunner();
  JobId id = Enqueue({{"command", {"sh", "-c", "for i in 1 2 3 4 5 6; do echo $i; sleep 0.2; done"}},
                      {"inactivity_timeout_seconds", 0.6}});
  ASSERT_TRUE(RunUntilState(id, JobState::kSucceeded, 10000))
      << ToString(store_->Get(id)->state) << " " << store_->Get(id)->error;
}

TEST_F(RunnerTimeoutTest, TimeoutIsRetriedPerRetryOn) {
  StartRunner();
  JobId id = Enqueue({{"command", {"sleep", "10"}},
                      {"timeout_seconds", 0.2},
                      {"retry", {{"max_attempts", 2}, {"initial_delay", 0.05}, {"retry_on", {"timeout"}}}}});
  ASSERT_TRUE(RunUntilState(id, JobState::kDead, 10000));
  auto attempts = store_->Attempts(id);
  ASSERT_EQ(attempts->size(), 2u);
  for (const Attempt& a : *attempts) EXPECT_EQ(a.outcome, AttemptOutcome::kTimeout);
}

}  // namespace
}  // namespace baton
