// Jobs the runner creates itself — schedule firings and saga compensations — pass the policy
// before their first attempt: a real `baton runner --policy DIR` subprocess on a real SQLite file.
// A denied job never runs its command, ends `cancelled` with "Denied by policy: ...", and the
// denial is in the decision log and the job's events.
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

// Allows everything except running `touch` (whatever created the job).
constexpr const char* kNoTouchPolicy = R"rego(package baton

import rego.v1

default allow := true

deny contains msg if {
	input.tool == "enqueue"
	input.arguments.command[0] == "touch"
	msg := sprintf("touch is not allowed (%s job)", [input.origin])
}
)rego";

class IndirectJobsPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.File("policy"));
    std::ofstream(dir_.File("policy/p.rego")) << kNoTouchPolicy;
    store_ = std::move(JobStore::Open(dir_.File("b.db")).value());
  }
  void StartRunner() {
    runner_ = std::make_unique<testing::Subprocess>(std::vector<std::string>{
        testing::BatonBinary(), "runner", "--db", dir_.File("b.db"), "--policy",
        dir_.File("policy"), "--lock-wait", "5"});
  }
  // Polls until the job listed under label key=value is terminal.
  std::optional<Job> WaitTerminal(const std::string& key, const std::string& value) {
    int64_t until = MonotonicMs() + 20000;
    while (MonotonicMs() < until) {
      JobFilter f;
      f.label_key = key;
      f.label_value = value;
      auto jobs = store_->List(f);
      if (jobs.ok() && !jobs->empty() && IsTerminal(jobs->front().state)) return jobs->front();
      usleep(20000);
    }
    return std::nullopt;
  }
  Schedule Due(const std::string& name, const std::vector<std::string>& argv) {
    Schedule s;
    s.name = name;
    s.cron = "0 0 1 1 *";  // yearly: only the due run fires during the test
    s.spec_json = json({{"command", argv}, {"cwd", dir_.path()}}).dump();
    s.next_run_ms = SystemClock::Instance().NowMs() - 500;
    s.origin = {"sess-1", "alice"};
    return s;
  }
  std::vector<json> DecisionInputs(bool allowed) {
    auto log = DecisionLog::Open(dir_.File("b.db"));
    auto recent = (*log)->Recent(1000);  // held: a range-for over a temporary Result dangles
    std::vector<json> out;
    for (const DecisionRecord& r : *recent)
      if (r.allowed == allowed) {
        json in = json::parse(r.input_json, nullptr, false);
        EXPECT_FALSE(in.is_discarded()) << r.input_json;
        out.push_back(in);
      }
    return out;
  }
  std::vector<json> Events(JobId id) {
    std::vector<json> out;
    auto events = store_->JobEvents(id, 0, 1000);
    for (const Event& e : *events)
      out.push_back({{"type", e.type}, {"data", json::parse(e.data, nullptr, false)}});
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<JobStore> store_;
  std::unique_ptr<testing::Subprocess> runner_;
};

TEST_F(IndirectJobsPolicyTest, DeniedScheduleFiringNeverRunsItsCommand) {
  const std::string marker = dir_.File("touched-by-schedule");
  const int64_t now = SystemClock::Instance().NowMs();
  ASSERT_TRUE(store_->CreateSchedule(Due("nightly-touch", {"touch", marker}), now).ok());
  ASSERT_TRUE(store_->CreateSchedule(Due("nightly-echo", {"echo", "allowed"}), now).ok());
  StartRunner();

  auto denied = WaitTerminal("schedule", "nightly-touch");
  ASSERT_TRUE(denied) << runner_->Stderr();
  EXPECT_EQ(denied->state, JobState::kCancelled);
  EXPECT_EQ(denied->error.rfind("Denied by policy: ", 0), 0u) << denied->error;
  EXPECT_NE(denied->error.find("touch is not allowed (schedule job)"), std::string::npos);
  auto allowed = WaitTerminal("schedule", "nightly-echo");
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->state, JobState::kSucceeded);
  EXPECT_EQ(allowed->stdout_tail, "allowed\n");
  usleep(200000);
  EXPECT_FALSE(std::filesystem::exists(marker)) << "the denied command ran";

  auto attempts = store_->Attempts(denied->id);
  ASSERT_EQ(attempts->size(), 1u);
  EXPECT_EQ((*attempts)[0].outcome, AttemptOutcome::kDenied);
  EXPECT_FALSE((*attempts)[0].pid.has_value()) << "no process was started";
  bool cancelled_event = false;
  for (const json& e : Events(denied->id))
    if (e["type"] == "cancelled") {
      cancelled_event = true;
      EXPECT_EQ(e["data"]["outcome"], "denied");
      EXPECT_NE(e["data"]["error"].get<std::string>().find("Denied by policy"), std::string::npos);
    }
  EXPECT_TRUE(cancelled_event);

  // The decision log holds the denial with the input a direct enqueue would have, plus origin.
  bool logged = false;
  for (const json& in : DecisionInputs(false)) {
    if (in.value("origin", "") != "schedule") continue;
    logged = true;
    EXPECT_EQ(in["tool"], "enqueue");
    EXPECT_EQ(in["source"]["schedule"], "nightly-touch");
    EXPECT_EQ(in["principal"]["id"], "alice");
    EXPECT_EQ(in["session"], "sess-1");
    EXPECT_EQ(in["transport"], "runner");
    EXPECT_EQ(in["arguments"]["command"][1], marker);
  }
  EXPECT_TRUE(logged);
  bool allowed_logged = false;
  for (const json& in : DecisionInputs(true))
    allowed_logged = allowed_logged || (in.value("origin", "") == "schedule" &&
                                        in["source"]["schedule"] == "nightly-echo");
  EXPECT_TRUE(allowed_logged) << "allowed firings are logged too";
}

TEST_F(IndirectJobsPolicyTest, DeniedCompensationNeverRuns) {
  const std::string marker = dir_.File("undone");
  std::vector<EnqueueRequest> chain;
  for (int i = 0; i < 2; ++i) {
    EnqueueRequest r;
    r.spec.command = {i == 0 ? "true" : "false"};
    r.spec.cwd = dir_.path();
    r.origin = {"sess-2", "bob"};
    r.chain_id = -1;
    r.chain_step = i;
    if (i > 0) r.spec.depends_on = {{-1, DepCondition::kSuccess}};
    chain.push_back(r);
  }
  JobSpec undo;  // the saga step that undoes step 0
  undo.command = {"touch", marker};
  undo.cwd = dir_.path();
  chain[0].spec.on_failure.push_back(undo);
  auto ids = store_->EnqueueBatch(chain, SystemClock::Instance().NowMs());
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  StartRunner();

  auto comp = WaitTerminal("baton.compensates", std::to_string((*ids)[0].id));
  ASSERT_TRUE(comp) << runner_->Stderr();
  EXPECT_EQ(comp->state, JobState::kCancelled);
  EXPECT_NE(comp->error.find("Denied by policy: touch is not allowed (compensation job)"),
            std::string::npos) << comp->error;
  usleep(200000);
  EXPECT_FALSE(std::filesystem::exists(marker)) << "the denied compensation ran";
  EXPECT_EQ(store_->Get((*ids)[1].id)->state, JobState::kFailed);

  bool logged = false;
  for (const json& in : DecisionInputs(false)) {
    if (in.value("origin", "") != "compensation") continue;
    logged = true;
    EXPECT_EQ(in["principal"]["id"], "bob");
    EXPECT_EQ(in["source"]["compensates"], (*ids)[0].id);
    EXPECT_EQ(in["source"]["failed_step"], (*ids)[1].id);
    EXPECT_EQ(in["chain"]["parent"], (*ids)[1].id);
    EXPECT_EQ(in["chain"]["depth"], 2);
  }
  EXPECT_TRUE(logged);
}

TEST_F(IndirectJobsPolicyTest, ARunnerWhosePolicyDoesNotCompileDeniesWhatItCreates) {
  std::ofstream(dir_.File("policy/p.rego")) << "package baton\nallow := {{{\n";
  const std::string marker = dir_.File("touched");
  // Even a harmless command is refused: there is no policy to allow it (fail closed).
  ASSERT_TRUE(store_->CreateSchedule(Due("broken", {"echo", "hi"}),
                                     SystemClock::Instance().NowMs()).ok());
  EnqueueRequest direct;  // a job admitted by a front-end before still runs
  direct.spec.command = {"echo", "direct"};
  direct.spec.cwd = dir_.path();
  direct.spec.labels["kind"] = "direct";
  ASSERT_TRUE(store_->Enqueue(direct, SystemClock::Instance().NowMs()).ok());
  StartRunner();
  auto fired = WaitTerminal("schedule", "broken");
  ASSERT_TRUE(fired) << runner_->Stderr();
  EXPECT_EQ(fired->state, JobState::kCancelled);
  EXPECT_NE(fired->error.find("no policy is loaded"), std::string::npos) << fired->error;
  auto ran = WaitTerminal("kind", "direct");
  ASSERT_TRUE(ran);
  EXPECT_EQ(ran->state, JobState::kSucceeded);
}

}  // namespace
}  // namespace baton
