// Crash recovery with real `baton runner` processes: a SIGKILLed runner's attempts are found by
// the next runner, recorded `lost` and retried or failed per retry_on; the orphaned job process
// (which outlives its runner until then) is killed first, recorded or not, so a job never runs
// twice at once; a hung runner (lock held, heartbeat stale) is reported.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "server/jobs/job_service.h"
#include "server/jobs/job_watcher.h"
#include "server/jobs/runner_control.h"
#include "tests/server/runner_fixture.h"
#include "tests/support/subprocess.h"

namespace baton {
namespace {

using baton::testing::ProcessAlive;
using baton::testing::ReadFile;
using baton::testing::Subprocess;

class RecoveryTest : public testing::RunnerFixture {
 protected:
  std::unique_ptr<Subprocess> StartRunnerProcess() {
    return std::make_unique<Subprocess>(std::vector<std::string>{
        baton::testing::BatonBinary(), "runner", "--db", paths_.db, "--concurrency", "4",
        "--lock-wait", "5"});
  }
  static bool WaitFor(const std::function<bool()>& done, int64_t timeout_ms) {
    int64_t deadline = MonotonicMs() + timeout_ms;
    while (MonotonicMs() < deadline) {
      if (done()) return true;
      usleep(20000);
    }
    return done();
  }
  JobState State(JobId id) { return store_->Get(id)->state; }
};

// Attempt 1 records its pid and hangs; later attempts finish at once.
constexpr const char* kHangsFirst =
    "if [ \"$BATON_ATTEMPT\" = 1 ]; then echo $$ > first.pid; exec sleep 60; fi; echo rerun";

TEST_F(RecoveryTest, SigkilledRunnersAttemptIsLostRetriedAndItsProcessKilled) {
  JobId id = Enqueue({{"command", {"sh", "-c", kHangsFirst}},
                      {"retry", {{"max_attempts", 3}, {"initial_delay", 0}}}});
  auto first = StartRunnerProcess();
  ASSERT_TRUE(WaitFor([&] { return !ReadFile(dir_.File("first.pid")).empty(); }, 10000));
  pid_t job_pid = std::atoi(ReadFile(dir_.File("first.pid")).c_str());
  first->Kill(SIGKILL);
  ASSERT_TRUE(first->Wait(5000).has_value());
  // The guarantee's first half: the job's process survives its runner's death...
  EXPECT_TRUE(ProcessAlive(job_pid));
  EXPECT_EQ(State(id), JobState::kRunning);  // nothing pretends it finished
  // ...until the next runner: it kills the orphan, records the attempt lost and retries it.
  auto second = StartRunnerProcess();
  ASSERT_TRUE(WaitFor([&] { return State(id) == JobState::kSucceeded; }, 15000))
      << ToString(State(id)) << "\n" << second->Stderr();
  EXPECT_FALSE(ProcessAlive(job_pid));
  auto attempts = store_->Attempts(id);
  ASSERT_EQ(attempts->size(), 2u);
  EXPECT_EQ((*attempts)[0].outcome, AttemptOutcome::kLost);
  EXPECT_NE((*attempts)[0].error.find("died"), std::string::npos) << (*attempts)[0].error;
  EXPECT_TRUE((*attempts)[0].ended_ms.has_value());
  EXPECT_EQ((*attempts)[1].outcome, AttemptOutcome::kSucceeded);
  EXPECT_LE((*attempts)[1].started_ms - *(*attempts)[0].ended_ms, 1000);
  EXPECT_EQ(store_->Get(id)->stdout_tail, "rerun\n");
}

TEST_F(RecoveryTest, LostAttemptFailsTheJobWhenRetryOnExcludesLost) {
  JobId id = Enqueue({{"command", {"sh", "-c", kHangsFirst}},
                      {"retry", {{"max_attempts", 3}, {"retry_on", {"nonzero"}}}}});
  auto first = StartRunnerProcess();
  ASSERT_TRUE(WaitFor([&] { return !ReadFile(dir_.File("first.pid")).empty(); }, 10000));
  first->Kill(SIGKILL);
  ASSERT_TRUE(first->Wait(5000).has_value());
  auto second = StartRunnerProcess();
  ASSERT_TRUE(WaitFor([&] { return State(id) == JobState::kFailed; }, 15000)) << ToString(State(id));
  auto attempts = store_->Attempts(id);
  ASSERT_EQ(attempts->size(), 1u);
  EXPECT_EQ((*attempts)[0].outcome, AttemptOutcome::kLost);
}

TEST_F(RecoveryTest, UnrecordedProcessOfADeadRunnerIsKilledOthersAreLeftAlone) {
  // A runner can die between starting a process and recording its pid: only the environment
  // tells the process apart.
  Subprocess stray({"sleep", "60"}, {{"BATON_DB", paths_.db}, {"BATON_RUNNER", "dead0runner"}});
  Subprocess other_db({"sleep", "60"},
                      {{"BATON_DB", dir_.File("other.db")}, {"BATON_RUNNER", "dead0runner"}});
  Subprocess no_runner({"sleep", "60"}, {{"BATON_DB", paths_.db}});
  auto runner = StartRunnerProcess();
  auto status = stray.Wait(10000);
  ASSERT_TRUE(status.has_value()) << "the stray survived the new runner";
  EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL);
  EXPECT_TRUE(ProcessAlive(other_db.pid()));
  EXPECT_TRUE(ProcessAlive(no_runner.pid()));
}

TEST_F(RecoveryTest, HungRunnerIsReportedWhenItsHeartbeatIsStale) {
  RunnerControl control(paths_, RunnerLaunch{"", {}, false});
  JobWatcher watcher(*store_);
  JobService service(*store_, control, watcher, SystemClock::Instance(), {dir_.path()});
  EXPECT_FALSE(service.CheckRunner()->runner.has_value());
  const int64_t now = SystemClock::Instance().NowMs();
  struct Case { int pid; int64_t heartbeat_age_ms; bool alive, stale; };
  pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  const Case kCases[] = {
      {getpid(), 1000, true, false},    // healthy
      {getpid(), 120000, true, true},   // alive, silent for 2 min: hung
      {dead, 120000, false, false},     // dead: its lock is free, the next wake replaces it
  };
  int n = 0;
  for (const Case& c : kCases) {
    SCOPED_TRACE(n);
    ASSERT_TRUE(store_->RegisterRunner("r" + std::to_string(n), c.pid, now - c.heartbeat_age_ms + n).ok());
    ++n;
    auto h = service.CheckRunner();
    ASSERT_TRUE(h.ok() && h->runner.has_value());
    EXPECT_EQ(h->alive, c.alive);
    EXPECT_EQ(h->stale, c.stale);
  }
}

}  // namespace
}  // namespace baton
