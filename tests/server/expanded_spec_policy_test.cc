// The policy judges a job as it will run: a spec whose run-time placeholders ({{prev.stdout}},
// {{steps.NAME.*}}) change it is checked again, expanded, just before it is spawned. A real
// `baton runner --policy examples/policies/forbid_rm_rf` subprocess on a real SQLite file, with
// chains whose unexpanded steps pass that policy and whose expansion is `rm -rf DIR`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "storage/decision_log.h"
#include "storage/job_store.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace baton {
namespace {

using nlohmann::json;

constexpr const char* kDenialPrefix = "policy denied the expanded command: ";

class ExpandedSpecPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(JobStore::Open(dir_.File("b.db")).value());
    // The directory an expanded `rm -rf` would delete.
    victim_ = dir_.File("victim");
    std::filesystem::create_directories(victim_);
    std::ofstream(victim_ + "/keep") << "precious";
  }
  void StartRunner() {
    runner_ = std::make_unique<testing::Subprocess>(std::vector<std::string>{
        testing::BatonBinary(), "runner", "--db", dir_.File("b.db"), "--policy",
        testing::SourceDir() + "/examples/policies/forbid_rm_rf", "--lock-wait", "5"});
  }
  JobSpec Spec(std::vector<std::string> argv) {
    JobSpec s;
    s.command = std::move(argv);
    s.cwd = dir_.path();
    return s;
  }
  // A chain in one batch: a step without dependencies of its own depends on the step before it
  // (on success); a dependency on -k names the k-th step (1-based).
  std::vector<JobId> EnqueueChain(std::vector<JobSpec> steps) {
    std::vector<EnqueueRequest> batch;
    for (size_t i = 0; i < steps.size(); ++i) {
      EnqueueRequest r;
      r.spec = std::move(steps[i]);
      r.origin = {"sess-x", "alice"};
      r.chain_id = -1;
      r.chain_step = static_cast<int>(i);
      if (i > 0 && r.spec.depends_on.empty())
        r.spec.depends_on = {{-static_cast<JobId>(i), DepCondition::kSuccess}};
      batch.push_back(std::move(r));
    }
    auto outcomes = store_->EnqueueBatch(batch, SystemClock::Instance().NowMs());
    EXPECT_TRUE(outcomes.ok()) << outcomes.status().ToString();
    std::vector<JobId> ids;
    if (outcomes.ok())
      for (const EnqueueOutcome& o : *outcomes) ids.push_back(o.id);
    return ids;
  }
  std::optional<Job> WaitTerminal(JobId id) {
    int64_t until = MonotonicMs() + 20000;
    while (MonotonicMs() < until) {
      auto job = store_->Get(id);
      if (job.ok() && IsTerminal(job->state)) return *job;
      usleep(20000);
    }
    return std::nullopt;
  }
  // Asserts that `id` was denied before it ran and that the victim survived.
  void ExpectDeniedBeforeItRan(JobId id) {
    auto job = WaitTerminal(id);
    ASSERT_TRUE(job) << runner_->Stderr();
    EXPECT_EQ(job->state, JobState::kFailed);
    EXPECT_EQ(job->error.rfind(kDenialPrefix, 0), 0u) << job->error;
    EXPECT_NE(job->error.find("'rm' with recursive and force flags is forbidden"),
              std::string::npos) << job->error;
    auto attempts = store_->Attempts(id);
    ASSERT_TRUE(attempts.ok());
    ASSERT_EQ(attempts->size(), 1u) << "a denied expansion is not retried";
    EXPECT_EQ((*attempts)[0].outcome, AttemptOutcome::kExpansionDenied);
    EXPECT_FALSE((*attempts)[0].pid.has_value()) << "no process was started";
    EXPECT_TRUE(std::filesystem::exists(victim_ + "/keep")) << "the expanded rm -rf ran";
  }
  // The inputs of the decisions logged with origin "expansion" and the given verdict.
  std::vector<json> ExpansionDecisions(bool allowed) {
    auto log = DecisionLog::Open(dir_.File("b.db"));
    EXPECT_TRUE(log.ok());
    auto recent = (*log)->Recent(1000);
    std::vector<json> out;
    for (const DecisionRecord& r : *recent) {
      json in = json::parse(r.input_json, nullptr, false);
      if (r.allowed == allowed && in.is_object() && in.value("origin", "") == "expansion")
        out.push_back(in);
    }
    return out;
  }

  testing::TempDir dir_;
  std::string victim_;
  std::unique_ptr<JobStore> store_;
  std::unique_ptr<testing::Subprocess> runner_;
};

TEST_F(ExpandedSpecPolicyTest, ChainPlaceholderCannotSmuggleRmRf) {
  const std::string ran_on_failure = dir_.File("on-failure-ran");
  JobSpec on_failure = Spec({"touch", ran_on_failure});
  on_failure.depends_on = {{-2, DepCondition::kFailure}};
  JobSpec on_success = Spec({"echo", "after success"});
  on_success.depends_on = {{-2, DepCondition::kSuccess}};
  auto ids = EnqueueChain({Spec({"echo", "-rf"}), Spec({"rm", "{{prev.stdout}}", victim_}),
                           on_failure, on_success});
  ASSERT_EQ(ids.size(), 4u);
  StartRunner();
  ExpectDeniedBeforeItRan(ids[1]);

  // The denied step failed, and its dependents follow the chain rules: its `failure` edge runs,
  // its `success` edge is skipped.
  auto failure_edge = WaitTerminal(ids[2]);
  ASSERT_TRUE(failure_edge);
  EXPECT_EQ(failure_edge->state, JobState::kSucceeded);
  EXPECT_TRUE(std::filesystem::exists(ran_on_failure));
  auto success_edge = WaitTerminal(ids[3]);
  ASSERT_TRUE(success_edge);
  EXPECT_EQ(success_edge->state, JobState::kSkipped);

  // The denial is a decision like any other: the expanded spec, where it came from, whose job.
  std::vector<json> denied = ExpansionDecisions(false);
  ASSERT_EQ(denied.size(), 1u);
  const json& in = denied[0];
  EXPECT_EQ(in["tool"], "enqueue");
  EXPECT_EQ(in["arguments"]["command"], json({"rm", "-rf", victim_}));
  EXPECT_EQ(in["source"]["job"], ids[1]);
  EXPECT_EQ(in["source"]["unexpanded_command"], json({"rm", "{{prev.stdout}}", victim_}));
  EXPECT_EQ(in["principal"]["id"], "alice");
  EXPECT_EQ(in["session"], "sess-x");
  EXPECT_EQ(in["transport"], "runner");
  EXPECT_EQ(in["chain"]["depth"], 1);
  EXPECT_EQ(in["chain"]["parent"], ids[0]);
  // Jobs without placeholders are not judged again.
  EXPECT_TRUE(ExpansionDecisions(true).empty());
}

TEST_F(ExpandedSpecPolicyTest, DependsOnPlaceholderCannotSmuggleRmRf) {
  EnqueueRequest flags;
  flags.spec = Spec({"echo", "-fr"});
  auto first = store_->Enqueue(flags, SystemClock::Instance().NowMs());
  ASSERT_TRUE(first.ok());
  EnqueueRequest rm;  // not a chain: a plain dependency
  rm.spec = Spec({"rm", "{{prev.stdout}}", victim_});
  rm.spec.depends_on = {{first->id, DepCondition::kAlways}};
  auto second = store_->Enqueue(rm, SystemClock::Instance().NowMs());
  ASSERT_TRUE(second.ok());
  StartRunner();
  ExpectDeniedBeforeItRan(second->id);
  EXPECT_EQ(ExpansionDecisions(false).size(), 1u);
}

TEST_F(ExpandedSpecPolicyTest, PlaceholderAsProgramCannotSmuggleRmRf) {
  auto ids = EnqueueChain({Spec({"echo", "rm"}), Spec({"{{prev.stdout}}", "-rf", victim_})});
  ASSERT_EQ(ids.size(), 2u);
  StartRunner();
  ExpectDeniedBeforeItRan(ids[1]);
  std::vector<json> denied = ExpansionDecisions(false);
  ASSERT_EQ(denied.size(), 1u);
  EXPECT_EQ(denied[0]["arguments"]["command"][0], "rm");
}

TEST_F(ExpandedSpecPolicyTest, NamedStepPlaceholderCannotSmuggleRmRf) {
  JobSpec named = Spec({"echo", "-Rf"});
  named.name = "flags";
  auto ids = EnqueueChain({named, Spec({"true"}), Spec({"rm", "{{steps.flags.stdout}}", victim_})});
  ASSERT_EQ(ids.size(), 3u);
  StartRunner();
  ExpectDeniedBeforeItRan(ids[2]);
}

TEST_F(ExpandedSpecPolicyTest, AnAllowedExpansionRunsAndIsLogged) {
  auto ids = EnqueueChain({Spec({"echo", "hello"}), Spec({"echo", "got {{prev.stdout}}"})});
  ASSERT_EQ(ids.size(), 2u);
  StartRunner();
  auto job = WaitTerminal(ids[1]);
  ASSERT_TRUE(job) << runner_->Stderr();
  EXPECT_EQ(job->state, JobState::kSucceeded) << job->error;
  EXPECT_EQ(job->stdout_tail, "got hello\n");
  std::vector<json> allowed = ExpansionDecisions(true);
  ASSERT_EQ(allowed.size(), 1u);
  EXPECT_EQ(allowed[0]["arguments"]["command"], json({"echo", "got hello"}));
}

}  // namespace
}  // namespace baton
