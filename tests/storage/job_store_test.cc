#include "storage/job_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>
#include <thread>

#include "tests/support/temp_dir.h"

namespace baton {
namespace {

class JobStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<JobStore> Open() {
    auto s = JobStore::Open(dir_.File("jobs.db"));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }
  static EnqueueRequest Req(std::vector<std::string> cmd) {
    EnqueueRequest r;
    r.spec.command = std::move(cmd);
    r.spec.cwd = "/tmp";
    return r;
  }
  testing::TempDir dir_;
};

TEST_F(JobStoreTest, EnqueueWritesTheJobAndItsEvent) {
  auto store = Open();
  auto out = store->Enqueue(Req({"true"}), 1000);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->state, JobState::kQueued);
  auto job = store->Get(out->id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->spec.command, std::vector<std::string>{"true"});
  auto events = store->JobEvents(out->id, 0, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].type, "enqueued");
  EXPECT_EQ(store->Get(999).status().code(), StatusCode::kNotFound);
}

// A spec row nested 100,000 deep (a damaged file, or one written by another tool) used to reach
// nlohmann's recursive parser; reading it back is now an error that names the limit.
TEST_F(JobStoreTest, TooDeepStoredSpecIsAnErrorNotACrash) {
  auto store = Open();
  auto out = store->Enqueue(Req({"true"}), 1000);
  ASSERT_TRUE(out.ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.File("jobs.db").c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  std::string deep = "{\"command\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "UPDATE jobs SET spec = ? WHERE id = ?", -1, &st, nullptr),
            SQLITE_OK);
  sqlite3_bind_text(st, 1, deep.c_str(), static_cast<int>(deep.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, out->id);
  ASSERT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(db);
  sqlite3_finalize(st);
  sqlite3_close(db);

  auto job = store->Get(out->id);
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.status().code(), StatusCode::kInternal);
  EXPECT_NE(job.status().message().find("JSON nested deeper than 128 levels"), std::string::npos)
      << job.status().ToString();
  // The store keeps working for other jobs.
  auto other = store->Enqueue(Req({"true"}), 2000);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(store->Get(other->id).ok());
}

TEST_F(JobStoreTest, IdempotencyKeyReturnsTheExistingJobInsideTheWindow) {
  auto store = Open();
  auto r = Req({"true"});
  r.spec.idempotency_key = "deploy-42";
  auto a = store->Enqueue(r, 1000);
  auto b = store->Enqueue(r, 2000);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->id, b->id);
  EXPECT_TRUE(b->existed);
  auto c = store->Enqueue(r, 1000 + 25 * 3600 * 1000LL);  // past the 24 h window
  ASSERT_TRUE(c.ok());
  EXPECT_NE(c->id, a->id);
}

TEST_F(JobStoreTest, ClaimIsExclusiveAcrossConnections) {
  auto setup = Open();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(setup->Enqueue(Req({"true"}), 1000).ok());
  std::vector<JobId> claimed[2];
  std::thread t[2];
  for (int k = 0; k < 2; ++k) {
    t[k] = std::thread([&, k] {
      auto store = Open();
      while (true) {
        auto c = store->ClaimNext("runner-" + std::to_string(k), 1000, 2000);
        ASSERT_TRUE(c.ok()) << c.status().ToString();
        if (!c->has_value()) break;
        claimed[k].push_back((*c)->job.id);
      }
    });
  }
  t[0].join();
  t[1].join();
  std::set<JobId> all(claimed[0].begin(), claimed[0].end());
  all.insert(claimed[1].begin(), claimed[1].end());
  EXPECT_EQ(all.size(), 50u);
  EXPECT_EQ(claimed[0].size() + claimed[1].size(), 50u);
}

TEST_F(JobStoreTest, GlobalLimitAndPriorityDecideWhatIsClaimed) {
  auto store = Open();
  auto low = store->Enqueue(Req({"low"}), 1000);
  auto r = Req({"high"});
  r.spec.priority = 10;
  auto high = store->Enqueue(r, 1001);
  auto first = store->ClaimNext("r", 1, 2000);
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->job.id, high->id);
  auto second = store->ClaimNext("r", 1, 2000);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->has_value()) << "the global limit of 1 is reached";
  (void)low;
}

TEST_F(JobStoreTest, DependentsRunSkipOrCancelByCondition) {
  auto store = Open();
  auto up = store->Enqueue(Req({"up"}), 1000);
  auto on_success = Req({"s"});
  on_success.spec.depends_on = {{up->id, DepCondition::kSuccess}};
  auto on_failure = Req({"f"});
  on_failure.spec.depends_on = {{up->id, DepCondition::kFailure}};
  auto always = Req({"a"});
  always.spec.depends_on = {{up->id, DepCondition::kAlways}};
  auto s = store->Enqueue(on_success, 1000);
  auto f = store->Enqueue(on_failure, 1000);
  auto a = store->Enqueue(always, 1000);
  EXPECT_EQ(s->state, JobState::kPending);
  auto grand = Req({"g"});
  grand.spec.depends_on = {{s->id, DepCondition::kSuccess}};
  auto g = store->Enqueue(grand, 1000);

  auto claim = store->ClaimNext("r", 10, 1500);
  ASSERT_TRUE(claim.ok() && claim->has_value());
  AttemptEnd end;
  end.job_id = up->id;
  end.attempt = 1;
  end.outcome = AttemptOutcome::kFailed;
  end.exit_code = 2;
  end.next_state = JobState::kFailed;
  ASSERT_TRUE(store->FinishAttempt(end, 2000).ok());

  EXPECT_EQ(store->Get(s->id)->state, JobState::kSkipped);
  EXPECT_NE(store->Get(s->id)->error.find("needed success"), std::string::npos);
  EXPECT_EQ(store->Get(g->id)->state, JobState::kSkipped) << "skips cascade";
  EXPECT_EQ(store->Get(f->id)->state, JobState::kQueued);
  EXPECT_EQ(store->Get(a->id)->state, JobState::kQueued);
}

TEST_F(JobStoreTest, CancelCascadesAndRefusesFinishedJobs) {
  auto store = Open();
  auto up = store->Enqueue(Req({"up"}), 1000);
  auto down = Req({"down"});
  down.spec.depends_on = {{up->id, DepCondition::kAlways}};
  auto d = store->Enqueue(down, 1000);
  auto out = store->Cancel(up->id, true, "", 2000);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->state, JobState::kCancelled);
  EXPECT_EQ(out->cascaded, std::vector<JobId>{d->id});
  EXPECT_EQ(store->Get(d->id)->state, JobState::kCancelled);
  auto again = store->Cancel(up->id, true, "", 3000);
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(JobStoreTest, CancelOfARunningJobIsRecordedForTheRunner) {
  auto store = Open();
  auto j = store->Enqueue(Req({"sleep", "9"}), 1000);
  ASSERT_TRUE(store->ClaimNext("r", 10, 1000).ok());
  auto out = store->Cancel(j->id, true, "stop it", 2000);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->state, JobState::kRunning);
  EXPECT_EQ(*store->CancelRequested(), std::vector<JobId>{j->id});
}

TEST_F(JobStoreTest, DelayedJobsWaitForTheirTime) {
  auto store = Open();
  auto r = Req({"later"});
  r.spec.run_at_ms = 5000;
  auto j = store->Enqueue(r, 1000);
  EXPECT_EQ(j->state, JobState::kPending);
  EXPECT_EQ(**store->NextDueMs(), 5000);
  EXPECT_EQ(*store->PromoteDue(4999), 0);
  EXPECT_EQ(*store->PromoteDue(5000), 1);
  EXPECT_EQ(store->Get(j->id)->state, JobState::kQueued);
}

TEST_F(JobStoreTest, OutboxEventsComeWithTheirJobsSummary) {
  auto store = Open();
  EnqueueRequest req = Req({"make", "te\"st"});
  req.spec.name = "tests";
  req.spec.retry.max_attempts = 3;
  auto j = store->Enqueue(req, 1000);
  ASSERT_TRUE(j.ok());
  ASSERT_TRUE(store->ClaimNext("r", 10, 1000).ok());
  AttemptEnd end;
  end.job_id = j->id;
  end.attempt = 1;
  end.outcome = AttemptOutcome::kFailed;
  end.exit_code = 2;
  end.error = "exit code 2";
  end.next_state = JobState::kFailed;
  ASSERT_TRUE(store->FinishAttempt(end, 2000).ok());
  auto plain = store->UnpublishedEvents(100);
  auto with_jobs = store->UnpublishedEventsWithJobs(2);
  ASSERT_TRUE(plain.ok() && with_jobs.ok());
  ASSERT_EQ(with_jobs->size(), 2u);  // the limit applies to events
  for (size_t i = 0; i < with_jobs->size(); ++i) {
    const OutboxEvent& o = (*with_jobs)[i];
    EXPECT_EQ(o.event.id, (*plain)[i].id);
    EXPECT_EQ(o.event.type, (*plain)[i].type);
    EXPECT_EQ(o.event.data, (*plain)[i].data);
    ASSERT_TRUE(o.job.has_value());
    // The summary is the job's current row, whichever event it comes with.
    EXPECT_EQ(o.job->state, "failed");
    EXPECT_EQ(o.job->command_json, R"(["make","te\"st"])");
    EXPECT_EQ(o.job->name, "tests");
    EXPECT_EQ(o.job->attempt, 1);
    EXPECT_EQ(o.job->max_attempts, 3);
    EXPECT_EQ(o.job->exit_code, 2);
    EXPECT_EQ(o.job->error, "exit code 2");
    EXPECT_FALSE(o.job->signal.has_value());
    EXPECT_FALSE(o.job->chain_id.has_value());
  }
}

TEST_F(JobStoreTest, EveryTransitionHasItsEventInTheOutbox) {
  auto store = Open();
  auto j = store->Enqueue(Req({"x"}), 1000);
  ASSERT_TRUE(store->ClaimNext("r", 10, 1000).ok());
  AttemptEnd end;
  end.job_id = j->id;
  end.attempt = 1;
  end.outcome = AttemptOutcome::kSucceeded;
  end.exit_code = 0;
  end.next_state = JobState::kSucceeded;
  ASSERT_TRUE(store->FinishAttempt(end, 2000).ok());
  auto events = store->UnpublishedEvents(100);
  ASSERT_TRUE(events.ok());
  std::vector<std::string> types;
  for (const auto& e : *events) types.push_back(e.type);
  EXPECT_EQ(types, (std::vector<std::string>{"enqueued", "running", "succeeded"}));
  ASSERT_TRUE(store->MarkPublished({(*events)[0].id}).ok());
  EXPECT_EQ(store->UnpublishedEvents(100)->size(), 2u);
}

}  // namespace
}  // namespace baton
