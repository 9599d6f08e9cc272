// The verify step with a real runner and real processes: a verifier runs after the command exits
// 0, in its cwd and env; its failure fails the attempt as `verify_failed`, which is retried, and
// the retry receives what went wrong through {{last_error}} and its number through {{attempt}}.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "tests/server/runner_fixture.h"

namespace baton {
namespace {

using nlohmann::json;

class VerifyStepTest : public testing::RunnerFixture {
 protected:
  void Expect(JobId id, JobState state) {
    ASSERT_TRUE(RunUntilState(id, state, 15000))
        << "job " << id << " is " << ToString(store_->Get(id)->state) << ", wanted "
        << ToString(state) << " (error: " << store_->Get(id)->error << ")";
  }
  std::string File(const std::string& name) { return dir_.File(name); }
};

TEST_F(VerifyStepTest, PassingVerifierRunsInTheJobsCwdAndEnvAndTheJobSucceeds) {
  StartRunner();
  JobId id = Enqueue({{"command", {"sh", "-c", "echo built > artifact"}},
                      {"env", {{"EXPECTED", "built"}}},
                      {"verify", {{"command", {"sh", "-c",
                                               "[ \"$(cat artifact)\" = \"$EXPECTED\" ] && "
                                               "echo verified job $BATON_JOB_ID"}}}}});
  Expect(id, JobState::kSucceeded);
  auto attempts = store_->Attempts(id);
  ASSERT_EQ(attempts->size(), 1u);
  EXPECT_EQ((*attempts)[0].outcome, AttemptOutcome::kSucceeded);
  EXPECT_EQ((*attempts)[0].exit_code, 0);
  // The verifier's output is kept beside the attempt's, for `baton logs --verify`.
  std::string out = (*attempts)[0].stdout_path;
  std::string verify_out = out.substr(0, out.size() - 4) + ".verify.out";
  EXPECT_EQ(testing::ReadFile(verify_out), "verified job " + std::to_string(id) + "\n");
}

TEST_F(VerifyStepTest, FailedVerifierIsRetriedAndTheRetryGetsItsOutputAsLastError) {
  StartRunner();
  // Each attempt writes the argv it received to argv.<attempt>; the verifier passes only on
  // attempt 2 and says why it fails otherwise.
  JobId id = Enqueue(
      {{"command", {"sh", "-c", "printf '%s\\n' \"$1\" \"$2\" > argv.$1", "sh", "{{attempt}}",
                    "{{last_error}}"}},
       {"verify", {{"command", {"sh", "-c",
                                "[ \"$1\" = 2 ] || { echo \"FAIL: test_widget on attempt $1\"; "
                                "echo 'expected 3, got 2' >&2; exit 1; }",
                                "sh", "{{attempt}}"}}}},
       {"retry", {{"max_attempts", 3}, {"initial_delay", 0}}}});
  Expect(id, JobState::kSucceeded);
  auto attempts = store_->Attempts(id);
  ASSERT_EQ(attempts->size(), 2u);
  const Attempt& first = (*attempts)[0];
  EXPECT_EQ(first.outcome, AttemptOutcome::kVerifyFailed);
  EXPECT_EQ(first.exit_code, 0);  // the command's; the verifier's verdict is the error
  EXPECT_EQ(first.error,
            "verify command exited with code 1:\nFAIL: test_widget on attempt 1\nexpected 3, got 2");
  EXPECT_EQ((*attempts)[1].outcome, AttemptOutcome::kSucceeded);

  EXPECT_EQ(testing::ReadFile(File("argv.1")), "1\n\n");  // {{last_error}} is empty at first
  EXPECT_EQ(testing::ReadFile(File("argv.2")),
            "2\nattempt 1 verify_failed: verify command exited with code 1:\n"
            "FAIL: test_widget on attempt 1\nexpected 3, got 2\n");
}

TEST_F(VerifyStepTest, VerifierThatOutlivesItsTimeoutFailsTheAttempt) {
  StartRunner();
  JobId id = Enqueue({{"command", {"true"}},
                      {"verify", {{"command", {"sh", "-c", "echo checking; sleep 30"}},
                                  {"timeout_seconds", 0.5}}}});
  Expect(id, JobState::kFailed);  // one attempt: failed, not retried
  auto attempts = store_->Attempts(id);
  ASSERT_EQ(attempts->size(), 1u);
  EXPECT_EQ((*attempts)[0].outcome, AttemptOutcome::kVerifyFailed);
  EXPECT_EQ((*attempts)[0].error, "verify command timed out after 0.5 s:\nchecking");
  EXPECT_EQ(store_->Get(id)->error, (*attempts)[0].error);
}

TEST_F(VerifyStepTest, VerifierDoesNotRunWhenTheCommandFails) {
  StartRunner();
  JobId id = Enqueue({{"command", {"sh", "-c", "exit 4"}},
                      {"verify", {{"command", {"touch", "verified"}}}}});
  Expect(id, JobState::kFailed);
  EXPECT_EQ((*store_->Attempts(id))[0].outcome, AttemptOutcome::kFailed);
  EXPECT_FALSE(std::filesystem::exists(File("verified")));
}

TEST_F(VerifyStepTest, CancelDuringVerifyKillsTheVerifiersProcessGroup) {
  StartRunner();
  JobId id = Enqueue({{"command", {"true"}},
                      {"verify", {{"command", {"sh", "-c",
                                               "sleep 30 & echo $! > sleeper.pid; wait"}}}}});
  ASSERT_TRUE(RunUntil([&] { return !testing::ReadFile(File("sleeper.pid")).empty(); }, 10000));
  pid_t sleeper = std::stoi(testing::ReadFile(File("sleeper.pid")));
  ASSERT_TRUE(store_->Cancel(id, false, "stop verifying", SystemClock::Instance().NowMs()).ok());
  Expect(id, JobState::kCancelled);
  auto attempts = store_->Attempts(id);
  ASSERT_EQ(attempts->size(), 1u);
  EXPECT_EQ((*attempts)[0].outcome, AttemptOutcome::kCancelled);
  // The verifier's child is gone too (reaped by this process, the runner's subreaper).
  EXPECT_TRUE(RunUntil([&] { return kill(sleeper, 0) != 0; }, 5000));
}

}  // namespace
}  // namespace baton
