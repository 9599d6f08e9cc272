// The durable-execution parts of JobStore: manual re-queue of dead letters, retention, saga
// compensations, fan-in/fan-out, queue limits across connections, schedules.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "storage/job_store.h"
#include "tests/support/temp_dir.h"

namespace baton {
namespace {

class JobStoreDurableTest : public ::testing::Test {
 protected:
  std::unique_ptr<JobStore> Open() {
    auto s = JobStore::Open(dir_.File("jobs.db"));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }
  static EnqueueRequest Req(std::vector<std::string> cmd, std::string queue = "default") {
    EnqueueRequest r;
    r.spec.command = std::move(cmd);
    r.spec.cwd = "/tmp";
    r.spec.queue = std::move(queue);
    return r;
  }
  // Claims the next job and ends its attempt as `outcome` moving it to `next`.
  static JobId RunOne(JobStore& s, AttemptOutcome outcome, JobState next, int64_t now) {
    auto c = s.ClaimNext("r1", 100, now);
    EXPECT_TRUE(c.ok() && c->has_value());
    if (!c.ok() || !c->has_value()) return 0;
    AttemptEnd e;
    e.job_id = (*c)->job.id;
    e.attempt = (*c)->attempt;
    e.outcome = outcome;
    e.next_state = next;
    EXPECT_TRUE(s.FinishAttempt(e, now + 1).ok());
    return e.job_id;
  }
  static std::vector<std::string> EventTypes(JobStore& s, JobId id) {
    std::vector<std::string> out;
    auto events = s.JobEvents(id, 0, 100);
    for (const Event& e : *events) out.push_back(e.type);
    return out;
  }
  testing::TempDir dir_;
};

TEST_F(JobStoreDurableTest, RequeueGivesFreshAttemptsAndKeepsHistory) {
  auto store = Open();
  EnqueueRequest r = Req({"false"});
  r.spec.retry.max_attempts = 2;
  JobId id = store->Enqueue(r, 1000)->id;
  RunOne(*store, AttemptOutcome::kFailed, JobState::kQueued, 1000);
  RunOne(*store, AttemptOutcome::kFailed, JobState::kDead, 2000);
  ASSERT_EQ(store->Get(id)->state, JobState::kDead);
  auto dead = store->List({{JobState::kDead}});  // the dead-letter queue
  ASSERT_EQ(dead->size(), 1u);

  auto job = store->Requeue(id, "fixed the flaky test", 3000);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->state, JobState::kQueued);
  EXPECT_EQ(job->attempt_base, 2);
  EXPECT_EQ(job->error, "");
  EXPECT_FALSE(job->finished_ms.has_value());
  auto c = store->ClaimNext("r1", 100, 3000);
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->attempt, 3);  // numbering continues
  auto attempts = store->Attempts(id);
  ASSERT_EQ(attempts->size(), 3u);
  EXPECT_EQ((*attempts)[0].outcome, AttemptOutcome::kFailed);
  EXPECT_EQ((*attempts)[1].outcome, AttemptOutcome::kFailed);
  auto types = EventTypes(*store, id);
  EXPECT_NE(std::find(types.begin(), types.end(), "retried"), types.end());
}

TEST_F(JobStoreDurableTest, RequeueRefusesUnfinishedAndSucceededJobs) {
  auto store = Open();
  JobId ok_id = store->Enqueue(Req({"true"}), 1000)->id;
  EXPECT_EQ(store->Requeue(ok_id, "", 1000).status().code(), StatusCode::kFailedPrecondition);
  RunOne(*store, AttemptOutcome::kSucceeded, JobState::kSucceeded, 1000);
  EXPECT_EQ(store->Requeue(ok_id, "", 2000).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->Requeue(999, "", 2000).status().code(), StatusCode::kNotFound);
  JobId c = store->Enqueue(Req({"true"}), 1000)->id;
  ASSERT_TRUE(store->Cancel(c, true, "", 1100).ok());
  EXPECT_TRUE(store->Requeue(c, "", 1200).ok());  // cancelled jobs may be retried
}

TEST_F(JobStoreDurableTest, FanOutFanInAndConditions) {
  auto store = Open();
  JobId root = store->Enqueue(Req({"true"}), 1000)->id;
  std::vector<JobId> fan;
  for (int i = 0; i < 3; ++i) {
    EnqueueRequest r = Req({"true"});
    r.spec.depends_on = {{root, DepCondition::kSuccess}};
    fan.push_back(store->Enqueue(r, 1000)->id);
  }
  EnqueueRequest join = Req({"true"});
  for (JobId f : fan) join.spec.depends_on.push_back({f, DepCondition::kAlways});
  JobId joined = store->Enqueue(join, 1000)->id;
  EnqueueRequest on_fail = Req({"true"});
  on_fail.spec.depends_on = {{fan[0], DepCondition::kFailure}};
  JobId handler = store->Enqueue(on_fail, 1000)->id;

  RunOne(*store, AttemptOutcome::kSucceeded, JobState::kSucceeded, 1000);  // root
  for (JobId f : fan) EXPECT_EQ(store->Get(f)->state, JobState::kQueued);
  EXPECT_EQ(store->Get(joined)->state, JobState::kPending);
  RunOne(*store, AttemptOutcome::kFailed, JobState::kFailed, 1100);  // fan[0]
  EXPECT_EQ(store->Get(handler)->state, JobState::kQueued);          // failure edge met
  EXPECT_EQ(store->Get(joined)->state, JobState::kPending);          // still waits for 2
  RunOne(*store, AttemptOutcome::kSucceeded, JobState::kSucceeded, 1200);
  EXPECT_EQ(store->Get(joined)->state, JobState::kPending);
  RunOne(*store, AttemptOutcome::kSucceeded, JobState::kSucceeded, 1300);
  EXPECT_EQ(store->Get(joined)->state, JobState::kQueued);  // fan-in: all three finished

  // A required dependency that failed: skipped, with the reason.
  EnqueueRequest late = Req({"true"});
  late.spec.depends_on = {{fan[0], DepCondition::kSuccess}};
  auto skipped = store->Enqueue(late, 1400);
  EXPECT_EQ(skipped->state, JobState::kSkipped);
  EXPECT_NE(store->Get(skipped->id)->error.find("ended failed"), std::string::npos);
}

TEST_F(JobStoreDurableTest, FailedChainStepCompensatesCompletedStepsInReverse) {
  auto store = Open();
  std::vector<EnqueueRequest> chain;
  for (int i = 0; i < 3; ++i) {
    EnqueueRequest r = Req({"step" + std::to_string(i)});
    r.chain_id = -1;
    r.chain_step = i;
    if (i > 0) r.spec.depends_on = {{-static_cast<JobId>(i), DepCondition::kSuccess}};
    JobSpec undo;
    undo.command = {"undo" + std::to_string(i)};
    undo.cwd = "/tmp";
    r.spec.on_failure.push_back(undo);
    chain.push_back(r);
  }
  auto ids = store->EnqueueBatch(chain, 1000);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  RunOne(*store, AttemptOutcome::kSucceeded, JobState::kSucceeded, 1000);
  RunOne(*store, AttemptOutcome::kSucceeded, JobState::kSucceeded, 1100);
  RunOne(*store, AttemptOutcome::kFailed, JobState::kFailed, 1200);  // the last step fails
  auto comps = store->List({{}, "", "baton.failed_step", std::to_string((*ids)[2].id)});
  ASSERT_EQ(comps->size(), 2u);
  // Newest first in the listing: undo0 was created after undo1 and waits for it.
  const Job& undo1 = (*comps)[1];
  const Job& undo0 = (*comps)[0];
  EXPECT_EQ(undo1.spec.command[0], "undo1");
  EXPECT_EQ(undo0.spec.command[0], "undo0");
  EXPECT_EQ(undo1.state, JobState::kQueued);
  EXPECT_EQ(undo0.state, JobState::kPending);
  ASSERT_EQ(undo0.spec.depends_on.size(), 1u);
  EXPECT_EQ(undo0.spec.depends_on[0].job_id, undo1.id);
  EXPECT_EQ(undo0.spec.depends_on[0].condition, DepCondition::kAlways);
  // The failed step's own compensation does not run: it never completed.
  RunOne(*store, AttemptOutcome::kFailed, JobState::kFailed, 1300);  // undo1 fails...
  EXPECT_EQ(store->Get(undo0.id)->state, JobState::kQueued);        // ...undo0 still runs
  auto types = EventTypes(*store, (*ids)[2].id);
  EXPECT_NE(std::find(types.begin(), types.end(), "compensating"), types.end());
}

TEST_F(JobStoreDurableTest, QueueLimitsAndPauseHoldAcrossConnections) {
  auto a = Open();
  auto b = Open();  // another process sharing the database
  ASSERT_TRUE(a->SetQueueConcurrency("gpu", 1).ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(a->Enqueue(Req({"true"}, "gpu"), 1000).ok());
  EnqueueRequest hi = Req({"true"}, "cpu");
  hi.spec.priority = 5;
  JobId hi_id = a->Enqueue(hi, 1000)->id;
  JobId lo_id = a->Enqueue(Req({"true"}, "cpu"), 1000)->id;
  auto c1 = a->ClaimNext("r1", 100, 1000);
  ASSERT_TRUE(c1->has_value());
  EXPECT_EQ((*c1)->job.id, hi_id);  // priority first
  int gpu = 0;
  for (int i = 0; i < 4; ++i) {
    auto c = (i % 2 ? a : b)->ClaimNext("r" + std::to_string(i), 100, 1000);
    if (c->has_value() && (*c)->job.spec.queue == "gpu") ++gpu;
  }
  EXPECT_EQ(gpu, 1);  // the limit held whichever connection claimed
  auto queues = b->ListQueues();
  ASSERT_TRUE(queues.ok());
  bool seen = false;
  for (const QueueInfo& q : *queues)
    if (q.name == "gpu") {
      seen = true;
      EXPECT_EQ(q.concurrency, 1);
      EXPECT_EQ(q.running, 1);
      EXPECT_EQ(q.queued, 2);
    }
  EXPECT_TRUE(seen);
  ASSERT_TRUE(b->SetQueuePaused("cpu", true).ok());
  JobId paused = a->Enqueue(Req({"true"}, "cpu"), 1000)->id;
  for (int i = 0; i < 3; ++i) {
    auto c = a->ClaimNext("r1", 100, 1000);
    if (c->has_value()) {
      EXPECT_NE((*c)->job.id, paused);
    }
  }
  (void)lo_id;
  ASSERT_TRUE(b->SetQueuePaused("cpu", false).ok());
  auto c = a->ClaimNext("r1", 100, 1000);
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->job.spec.queue, "cpu");
}

TEST_F(JobStoreDurableTest, PruneDeletesOldFinishedJobsButKeepsNeededOnes) {
  auto store = Open();
  JobId old_done = store->Enqueue(Req({"true"}), 1000)->id;
  RunOne(*store, AttemptOutcome::kSucceeded, JobState::kSucceeded, 1000);
  JobId upstream = store->Enqueue(Req({"true"}), 1000)->id;
  RunOne(*store, AttemptOutcome::kSucceeded, JobState::kSucceeded, 1000);
  EnqueueRequest dep = Req({"true"}, "paused");
  dep.spec.depends_on = {{upstream, DepCondition::kSuccess}};
  ASSERT_TRUE(store->SetQueuePaused("paused", true).ok());
  JobId waiting = store->Enqueue(dep, 1000)->id;  // queued (its dependency is done) but paused
  JobId recent = store->Enqueue(Req({"true"}), 1000)->id;
  RunOne(*store, AttemptOutcome::kSucceeded, JobState::kSucceeded, 900000);

  auto r = store->Prune(500000, 100);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // `upstream` stays while `waiting` (not finished) depends on it.
  EXPECT_EQ(r->jobs, std::vector<JobId>({old_done}));
  EXPECT_GT(r->events, 0);
  EXPECT_EQ(store->Get(old_done).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store->Get(recent).ok());
  EXPECT_TRUE(store->Get(waiting).ok());
  EXPECT_TRUE(store->Get(upstream).ok());
  EXPECT_TRUE(store->JobEvents(old_done, 0, 10)->empty());
  EXPECT_TRUE(store->Attempts(old_done)->empty());
}

TEST_F(JobStoreDurableTest, PruneKeepsAJobWhileAnUnfinishedJobDependsOnIt) {
  auto store = Open();
  JobId up = store->Enqueue(Req({"true"}), 1000)->id;
  JobId other = store->Enqueue(Req({"true"}), 1000)->id;
  EnqueueRequest dep = Req({"true"});
  dep.spec.depends_on = {{up, DepCondition::kAlways}, {other, DepCondition::kAlways}};
  JobId waiting = store->Enqueue(dep, 1000)->id;
  RunOne(*store, AttemptOutcome::kSucceeded, JobState::kSucceeded, 1000);  // up; other queued
  auto r = store->Prune(1000000, 100);
  EXPECT_TRUE(r->jobs.empty());  // `waiting` still needs `up`
  EXPECT_EQ(store->Get(waiting)->state, JobState::kPending);
}

TEST_F(JobStoreDurableTest, SchedulesFireWithMissedEventsAndLabelledJobs) {
  auto store = Open();
  Schedule s;
  s.name = "nightly";
  s.cron = "0 3 * * *";
  s.spec_json = R"({"command":["make","nightly"],"cwd":"/tmp","queue":"batch"})";
  s.catch_up = CatchUp::kRunOnce;
  s.next_run_ms = 5000;
  auto created = store->CreateSchedule(s, 1000);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(store->CreateSchedule(s, 1000).status().code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(*store->HasUnfinishedWork());  // a runner must stay while schedules exist
  EXPECT_EQ(**store->NextScheduleMs(), 5000);
  EXPECT_TRUE(store->DueSchedules(4999)->empty());
  ASSERT_EQ(store->DueSchedules(5000)->size(), 1u);

  ScheduleFiring f;
  f.schedule_id = created->id;
  f.expected_next_run_ms = 5000;
  f.next_run_ms = 90000;
  f.enqueue = true;
  f.run_time_ms = 5000;
  f.missed = 2;
  f.first_missed_ms = 5000;
  f.last_missed_ms = 6000;
  auto job = store->FireSchedule(f, 70000);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  ASSERT_TRUE(job->has_value());
  auto j = store->Get(**job);
  EXPECT_EQ(j->spec.labels.at("schedule"), "nightly");
  EXPECT_EQ(j->spec.queue, "batch");
  EXPECT_EQ(store->FireSchedule(f, 70000).status().code(), StatusCode::kFailedPrecondition);
  auto after = store->GetSchedule("nightly");
  EXPECT_EQ(after->next_run_ms, 90000);
  EXPECT_EQ(after->missed_runs, 2);
  EXPECT_EQ(after->last_job_id, **job);
  EXPECT_EQ(after->last_missed_ms, 6000);
  bool missed_event = false;
  auto events = store->UnpublishedEvents(100);
  for (const Event& e : *events)
    if (e.type == "missed") {
      missed_event = true;
      EXPECT_EQ(nlohmann::json::parse(e.data)["missed"], 2);
    }
  EXPECT_TRUE(missed_event);
  ASSERT_TRUE(store->DeleteSchedule("nightly", 80000).ok());
  EXPECT_EQ(store->DeleteSchedule("nightly", 80000).code(), StatusCode::kNotFound);
  EXPECT_TRUE(store->ListSchedules()->empty());
}

TEST_F(JobStoreDurableTest, IdempotencyWindowIsConfigurable) {
  StoreOptions o;
  o.idempotency_window_ms = 1000;
  auto store = JobStore::Open(dir_.File("w.db"), o);
  ASSERT_TRUE(store.ok());
  EnqueueRequest r = Req({"true"});
  r.spec.idempotency_key = "deploy-42";
  auto first = (*store)->Enqueue(r, 10000);
  auto again = (*store)->Enqueue(r, 10900);
  EXPECT_TRUE(again->existed);
  EXPECT_EQ(again->id, first->id);
  auto later = (*store)->Enqueue(r, 11001);  // outside the window: a new job
  EXPECT_FALSE(later->existed);
  EXPECT_NE(later->id, first->id);
}

}  // namespace
}  // namespace baton
