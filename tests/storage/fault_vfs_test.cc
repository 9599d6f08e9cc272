// The fault-injecting SQLite VFS (storage/fault_vfs.h) and the contract of JobStore::FinishAttempt
// it lets us test: an end that storage refused changed nothing and may be recorded again.
// Its own binary: the VFS is registered at the process's first store open, from the environment.
#include "storage/fault_vfs.h"

#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "storage/decision_log.h"
#include "storage/job_store.h"
#include "tests/support/temp_dir.h"

namespace baton {
namespace {

// One control file for the whole process, named in the environment before any store opens.
const std::string& ControlFile() {
  static testing::TempDir dir;
  static const std::string path = [] {
    std::string p = dir.File("writes-fail");
    setenv(storage::kFaultInjectEnv, p.c_str(), 1);
    return p;
  }();
  return path;
}

class FaultVfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    control_ = ControlFile();
    auto s = JobStore::Open(dir_.File("jobs.db"));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override { unlink(control_.c_str()); }
  void FailWrites() { testing::WriteFile(control_, ""); }
  void HealWrites() { ASSERT_EQ(unlink(control_.c_str()), 0); }
  void Plan(const std::string& rules) { testing::WriteFile(control_, rules); }
  static EnqueueRequest Req() {
    EnqueueRequest r;
    r.spec.command = {"true"};
    r.spec.cwd = "/tmp";
    return r;
  }

  std::string control_;
  testing::TempDir dir_;
  std::unique_ptr<JobStore> store_;
};

TEST_F(FaultVfsTest, WritesFailWhileTheControlFileExistsAndWorkAfterwards) {
  auto first = store_->Enqueue(Req(), 1000);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  FailWrites();
  auto refused = store_->Enqueue(Req(), 1001);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInternal) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("disk I/O error"), std::string::npos)
      << refused.status().ToString();
  EXPECT_TRUE(store_->Get(first->id).ok()) << "reads still work";
  HealWrites();
  auto again = store_->Enqueue(Req(), 1002);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto jobs = store_->List(JobFilter{});
  ASSERT_TRUE(jobs.ok());
  EXPECT_EQ(jobs->size(), 2u) << "the refused enqueue left nothing behind";
}

TEST_F(FaultVfsTest, RefusedAttemptEndChangesNothingAndCanBeRecordedAgain) {
  auto job = store_->Enqueue(Req(), 1000);
  ASSERT_TRUE(job.ok());
  auto claim = store_->ClaimNext("r", 4, 1500);
  ASSERT_TRUE(claim.ok() && claim->has_value());
  AttemptEnd end;
  end.job_id = job->id;
  end.attempt = 1;
  end.outcome = AttemptOutcome::kSucceeded;
  end.exit_code = 0;
  end.stdout_tail = "out\n";
  end.next_state = JobState::kSucceeded;

  FailWrites();
  Status refused = store_->FinishAttempt(end, 2000);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), StatusCode::kInternal) << refused.ToString();
  EXPECT_EQ(store_->Get(job->id)->state, JobState::kRunning);
  EXPECT_FALSE((*store_->Attempts(job->id))[0].ended_ms.has_value());

  HealWrites();
  Status recorded = store_->FinishAttempt(end, 2000);
  ASSERT_TRUE(recorded.ok()) << recorded.ToString();
  EXPECT_EQ(store_->Get(job->id)->state, JobState::kSucceeded);
  EXPECT_EQ(store_->Get(job->id)->stdout_tail, "out\n");
  EXPECT_EQ((*store_->Attempts(job->id))[0].ended_ms, 2000);
  auto events = store_->JobEvents(job->id, 0, 100);
  ASSERT_TRUE(events.ok());
  int succeeded_events = 0;
  for (const Event& e : *events)
    succeeded_events += e.type == "succeeded";
  EXPECT_EQ(succeeded_events, 1);

  // Once recorded, the same end again is refused for good (not a storage failure).
  EXPECT_EQ(store_->FinishAttempt(end, 2001).code(), StatusCode::kFailedPrecondition);
}

TEST_F(FaultVfsTest, OnlyTheNthCommitFails) {
  Plan("db.commit 2\n");
  EXPECT_TRUE(store_->Enqueue(Req(), 1000).ok());
  auto refused = store_->Enqueue(Req(), 1001);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("disk I/O error"), std::string::npos)
      << refused.status().ToString();
  EXPECT_TRUE(store_->Enqueue(Req(), 1002).ok()) << "a one-off fault";
  EXPECT_EQ(store_->List(JobFilter{})->size(), 2u);
}

TEST_F(FaultVfsTest, FromTheNthCommitOnEveryCommitFailsUntilThePlanIsRemoved) {
  Plan("db.commit 2+\n");
  EXPECT_TRUE(store_->Enqueue(Req(), 1000).ok());
  EXPECT_FALSE(store_->Enqueue(Req(), 1001).ok());
  EXPECT_FALSE(store_->Enqueue(Req(), 1002).ok());
  HealWrites();
  EXPECT_TRUE(store_->Enqueue(Req(), 1003).ok());
  EXPECT_EQ(store_->List(JobFilter{})->size(), 2u);
}

TEST_F(FaultVfsTest, AnEnqueueCountForgetsTheJobsOfAGroupThatDidNotCommit) {
  auto log = DecisionLog::Share(store_->connection());
  auto job = Req();
  job.origin.principal = "alice";
  store_->BeginGroup();
  ASSERT_TRUE(store_->Enqueue(job, 1000).ok());
  EXPECT_EQ(*log->CountEnqueues("alice", 0, 200), 1);  // the group's own, not yet committed
  Plan("db.commit 1\n");
  EXPECT_FALSE(store_->EndGroup().ok());
  HealWrites();
  EXPECT_EQ(store_->List(JobFilter{})->size(), 0u);
  EXPECT_EQ(*log->CountEnqueues("alice", 0, 200), 0) << "a job rolled back is no enqueue";
  ASSERT_TRUE(store_->Enqueue(job, 1001).ok());
  EXPECT_EQ(*log->CountEnqueues("alice", 0, 200), 1);
}

TEST_F(FaultVfsTest, APlanCountsEachPointApartAndRestartsWhenItChanges) {
  Plan("log.open 2\nstdin.write\n");
  EXPECT_FALSE(storage::InjectFault("log.open"));
  EXPECT_TRUE(storage::InjectFault("log.open"));
  EXPECT_FALSE(storage::InjectFault("log.open"));
  EXPECT_TRUE(storage::InjectFault("stdin.write"));
  EXPECT_FALSE(storage::InjectFault("log.write"));
  EXPECT_TRUE(store_->Enqueue(Req(), 1000).ok()) << "database writes are not in the plan";
  Plan("log.open 1\n");  // a new plan: counting starts again
  EXPECT_TRUE(storage::InjectFault("log.open"));
  HealWrites();
  EXPECT_FALSE(storage::InjectFault("log.open"));
}

}  // namespace
}  // namespace baton
