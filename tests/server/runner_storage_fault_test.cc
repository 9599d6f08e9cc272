// What the runner does when storage fails under it (issue 14, items 7 and 11b):
// - the database refuses writes (a real `baton runner` with the fault-injecting SQLite VFS,
//   storage/fault_vfs.h): an attempt that ends meanwhile is kept and recorded once writes work
//   again, with its real outcome, instead of staying `running` for good;
// - its output files cannot be created or written: the attempt ends `output_error` with the
//   reason, never `succeeded` with empty output.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include <gtest/gtest.h>

#include "storage/fault_vfs.h"
#include "tests/server/runner_fixture.h"
#include "tests/support/subprocess.h"

namespace baton {
namespace {

using baton::testing::ReadFile;
using baton::testing::Subprocess;
using baton::testing::WriteFile;

class RunnerStorageFaultTest : public testing::RunnerFixture {
 protected:
  // A real runner whose database writes fail while fault_file_ exists.
  std::unique_ptr<Subprocess> StartFaultyRunner() {
    return std::make_unique<Subprocess>(
        std::vector<std::string>{baton::testing::BatonBinary(), "runner", "--db", paths_.db,
                                 "--concurrency", "4", "--lock-wait", "5"},
        std::map<std::string, std::string>{{storage::kFaultInjectEnv, fault_file_}});
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
  std::string JobLogDir(JobId id) { return paths_.logs_dir + "/" + std::to_string(id); }
  Attempt OnlyAttempt(JobId id) {
    auto attempts = store_->Attempts(id);
    EXPECT_TRUE(attempts.ok() && attempts->size() == 1u);
    return attempts.ok() && !attempts->empty() ? attempts->front() : Attempt{};
  }

  std::string fault_file_ = dir_.File("writes-fail");
};

// Waits for the file `go`, then prints and exits with `code`: the test decides when it ends.
std::string EndsOnGo(int code) {
  return "echo up > up.txt; while [ ! -e go ]; do sleep 0.02; done; echo real-output; exit " +
         std::to_string(code);
}

TEST_F(RunnerStorageFaultTest, JobEndRecordedOnceWritesWorkAgain) {
  JobId id = Enqueue({{"command", {"sh", "-c", EndsOnGo(0)}}});
  JobId next = Enqueue({{"command", {"sh", "-c", "echo after"}}, {"depends_on", {id}}});
  auto runner = StartFaultyRunner();
  ASSERT_TRUE(WaitFor([&] { return !ReadFile(dir_.File("up.txt")).empty(); }, 10000))
      << runner->Stderr();
  ASSERT_EQ(State(id), JobState::kRunning);

  WriteFile(fault_file_, "");  // the disk fails...
  WriteFile(dir_.File("go"), "");  // ...and the job ends meanwhile
  ASSERT_TRUE(WaitFor([&] {
    return runner->Stderr().find("could not record its end") != std::string::npos;
  }, 10000)) << runner->Stderr();
  usleep(300000);  // a few retries, all refused
  EXPECT_EQ(State(id), JobState::kRunning) << "nothing was written while writes failed";
  EXPECT_EQ(State(next), JobState::kPending);

  ASSERT_EQ(unlink(fault_file_.c_str()), 0);  // the disk works again
  ASSERT_TRUE(WaitFor([&] { return State(next) == JobState::kSucceeded; }, 10000))
      << ToString(State(id)) << " / " << ToString(State(next)) << "\n" << runner->Stderr();
  EXPECT_EQ(State(id), JobState::kSucceeded);
  Job job = *store_->Get(id);
  EXPECT_EQ(job.stdout_tail, "real-output\n");  // its real result, not a placeholder
  EXPECT_EQ(job.exit_code, 0);
  Attempt a = OnlyAttempt(id);
  EXPECT_EQ(a.outcome, AttemptOutcome::kSucceeded);
  EXPECT_TRUE(a.ended_ms.has_value());
  EXPECT_NE(runner->Stderr().find("recorded after"), std::string::npos) << runner->Stderr();
}

TEST_F(RunnerStorageFaultTest, FailedAttemptIsRetriedOnceItsEndIsRecorded) {
  // Attempt 1 fails while writes fail; its retry decision (backoff included) survives the wait.
  JobId id = Enqueue({{"command", {"sh", "-c",
                                   "if [ \"$BATON_ATTEMPT\" = 1 ]; then " + EndsOnGo(3) +
                                       "; fi; echo second"}},
                      {"retry", {{"max_attempts", 2}, {"initial_delay", 0}}}});
  auto runner = StartFaultyRunner();
  ASSERT_TRUE(WaitFor([&] { return !ReadFile(dir_.File("up.txt")).empty(); }, 10000))
      << runner->Stderr();
  WriteFile(fault_file_, "");
  WriteFile(dir_.File("go"), "");
  ASSERT_TRUE(WaitFor([&] {
    return runner->Stderr().find("could not record its end") != std::string::npos;
  }, 10000)) << runner->Stderr();
  EXPECT_EQ(State(id), JobState::kRunning);
  ASSERT_EQ(unlink(fault_file_.c_str()), 0);
  ASSERT_TRUE(WaitFor([&] { return State(id) == JobState::kSucceeded; }, 10000))
      << ToString(State(id)) << "\n" << runner->Stderr();
  auto attempts = store_->Attempts(id);
  ASSERT_EQ(attempts->size(), 2u);
  EXPECT_EQ((*attempts)[0].outcome, AttemptOutcome::kFailed);
  EXPECT_EQ((*attempts)[0].exit_code, 3);
  EXPECT_EQ((*attempts)[1].outcome, AttemptOutcome::kSucceeded);
  EXPECT_EQ(store_->Get(id)->stdout_tail, "second\n");
}

TEST_F(RunnerStorageFaultTest, EndStillUnrecordedAtShutdownIsRecoveredByTheNextRunner) {
  // The in-memory copy dies with its runner: the attempt stays open, so the next runner finds
  // it and records it lost (retried per policy) — at-least-once, never `running` for good.
  JobId id = Enqueue({{"command", {"sh", "-c",
                                   "if [ \"$BATON_ATTEMPT\" = 1 ]; then " + EndsOnGo(0) +
                                       "; fi; echo rerun"}},
                      {"retry", {{"max_attempts", 2}, {"initial_delay", 0}}}});
  auto first = StartFaultyRunner();
  ASSERT_TRUE(WaitFor([&] { return !ReadFile(dir_.File("up.txt")).empty(); }, 10000))
      << first->Stderr();
  WriteFile(fault_file_, "");
  WriteFile(dir_.File("go"), "");
  ASSERT_TRUE(WaitFor([&] {
    return first->Stderr().find("could not record its end") != std::string::npos;
  }, 10000)) << first->Stderr();
  first->Kill(SIGTERM);
  ASSERT_TRUE(first->Wait(10000).has_value()) << first->Stderr();
  EXPECT_NE(first->Stderr().find("could not be recorded before shutdown"), std::string::npos)
      << first->Stderr();
  EXPECT_EQ(State(id), JobState::kRunning);

  ASSERT_EQ(unlink(fault_file_.c_str()), 0);
  auto second = StartFaultyRunner();
  ASSERT_TRUE(WaitFor([&] { return State(id) == JobState::kSucceeded; }, 15000))
      << ToString(State(id)) << "\n" << second->Stderr();
  auto attempts = store_->Attempts(id);
  ASSERT_EQ(attempts->size(), 2u);
  EXPECT_EQ((*attempts)[0].outcome, AttemptOutcome::kLost);
  EXPECT_EQ(store_->Get(id)->stdout_tail, "rerun\n");
}

TEST_F(RunnerStorageFaultTest, OutputThatCannotBeWrittenIsNotASilentSuccess) {
  JobId id = Enqueue({{"command", {"sh", "-c", "touch ran; echo hi"}}});
  JobId next = Enqueue({{"command", {"sh", "-c", "touch next-ran"}}, {"depends_on", {id}}});
  // The job's log directory cannot be created: its parent path is a regular file (this blocks
  // root too, unlike chmod).
  std::filesystem::create_directories(paths_.logs_dir);
  WriteFile(JobLogDir(id), "not a directory");
  StartRunner();
  ASSERT_TRUE(RunUntilState(id, JobState::kFailed, 10000)) << ToString(State(id));
  Attempt a = OnlyAttempt(id);
  EXPECT_EQ(a.outcome, AttemptOutcome::kOutputError);
  EXPECT_NE(a.error.find("output could not be written: " + JobLogDir(id)), std::string::npos)
      << a.error;
  EXPECT_EQ(store_->Get(id)->error, a.error);
  // Not started blind, and nothing that needed its success runs.
  EXPECT_FALSE(std::filesystem::exists(dir_.File("ran")));
  ASSERT_TRUE(RunUntilState(next, JobState::kSkipped, 5000)) << ToString(State(next));
  EXPECT_FALSE(std::filesystem::exists(dir_.File("next-ran")));
}

TEST_F(RunnerStorageFaultTest, OutputLostWhileRunningIsNotASilentSuccess) {
  // A disk that fills up while the job writes: its stdout file is /dev/full (ENOSPC).
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  JobId id = Enqueue({{"command", {"sh", "-c", "echo hi; echo oops >&2"}}});
  std::filesystem::create_directories(JobLogDir(id));
  std::filesystem::create_symlink("/dev/full", JobLogDir(id) + "/1.out");
  StartRunner();
  ASSERT_TRUE(RunUntilState(id, JobState::kFailed, 10000)) << ToString(State(id));
  Attempt a = OnlyAttempt(id);
  EXPECT_EQ(a.outcome, AttemptOutcome::kOutputError);
  EXPECT_EQ(a.exit_code, 0);  // the command itself succeeded: said, not hidden
  EXPECT_NE(a.error.find("output could not be written: " + JobLogDir(id) + "/1.out: " +
                         strerror(ENOSPC)),
            std::string::npos)
      << a.error;
  EXPECT_NE(a.error.find("exited with code 0"), std::string::npos) << a.error;
  Job job = *store_->Get(id);
  EXPECT_EQ(job.stdout_tail, "hi\n");  // the tail in the database is still whole
  EXPECT_EQ(job.stderr_tail, "oops\n");
}

TEST_F(RunnerStorageFaultTest, StdinThatCannotBeWrittenFailsTheJobWithTheReason) {
  JobId id = Enqueue({{"command", {"sh", "-c", "touch ran; cat"}}, {"stdin", "data"}});
  std::filesystem::create_directories(JobLogDir(id) + "/1.in");  // a directory: not writable
  StartRunner();
  ASSERT_TRUE(RunUntilState(id, JobState::kFailed, 10000)) << ToString(State(id));
  Attempt a = OnlyAttempt(id);
  EXPECT_EQ(a.outcome, AttemptOutcome::kSpawnError);
  EXPECT_NE(a.error.find("its stdin could not be written: " + JobLogDir(id) + "/1.in"),
            std::string::npos)
      << a.error;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("ran")));
}

}  // namespace
}  // namespace baton
