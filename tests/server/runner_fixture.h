// tests/server/runner_fixture.h
//
// An in-process Runner over a real database file in a temp dir, with real job processes, for the
// durable-execution tests. The clock is injectable (ManualClock for backoff arithmetic). The test
// process becomes a child subreaper through Runner::Acquire, like the real runner.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "base/clock.h"
#include "server/runner/runner.h"
#include "server/jobs/state_paths.h"
#include "storage/job_spec.h"
#include "storage/job_store.h"
#include "tests/support/temp_dir.h"

namespace baton::testing {

class RunnerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto paths = ResolveStatePaths(dir_.File("baton.db"));
    ASSERT_TRUE(paths.ok()) << paths.status().ToString();
    paths_ = *paths;
    auto store = JobStore::Open(paths_.db);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  void StartRunner(RunnerOptions options = {}, const Clock* clock = nullptr) {
    if (options.kill_grace_s == kKillGraceSeconds) options.kill_grace_s = 0.5;
    if (options.concurrency == 0) options.concurrency = 4;
    runner_ = std::make_unique<Runner>(*store_, paths_, options,
                                       clock ? *clock : SystemClock::Instance());
    Status s = runner_->Acquire(2000);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  // Enqueues a spec given as JSON (validated like an agent's), now = clock.
  JobId Enqueue(const nlohmann::json& spec, const Clock& clock = SystemClock::Instance()) {
    SpecContext ctx{dir_.path(), clock.NowMs()};
    auto parsed = ParseJobSpec(spec, ctx);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    EnqueueRequest r;
    r.spec = *parsed;
    auto out = store_->Enqueue(r, clock.NowMs());
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? out->id : 0;
  }
  // Runs runner passes until `done` or `timeout_ms`; true when done.
  bool RunUntil(const std::function<bool()>& done, int64_t timeout_ms) {
    int64_t deadline = MonotonicMs() + timeout_ms;
    while (MonotonicMs() < deadline) {
      if (done()) return true;
      runner_->RunOnce(20);
    }
    return done();
  }
  bool RunUntilState(JobId id, JobState state, int64_t timeout_ms) {
    return RunUntil([&] { return store_->Get(id)->state == state; }, timeout_ms);
  }

  TempDir dir_;
  StatePaths paths_;
  std::unique_ptr<JobStore> store_;
  std::unique_ptr<Runner> runner_;
};

}  // namespace baton::testing
