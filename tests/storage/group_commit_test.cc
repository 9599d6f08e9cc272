// Group commit (storage/sqlite_db.h, JobStore::BeginGroup): writes of a group are one transaction,
// invisible to other connections until EndGroup, and a failed write undoes only its own part.
#include <gtest/gtest.h>

#include "storage/decision_log.h"
#include "storage/job_store.h"
#include "tests/support/temp_dir.h"

namespace baton {
namespace {

class GroupCommitTest : public ::testing::Test {
 protected:
  std::unique_ptr<JobStore> Open() {
    auto s = JobStore::Open(dir_.File("jobs.db"));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }
  static EnqueueRequest Req() {
    EnqueueRequest r;
    r.spec.command = {"true"};
    r.spec.cwd = "/tmp";
    return r;
  }
  static int64_t Count(JobStore& s) {
    auto jobs = s.List(JobFilter{});
    return jobs.ok() ? static_cast<int64_t>(jobs->size()) : -1;
  }
  testing::TempDir dir_;
};

TEST_F(GroupCommitTest, WritesBecomeVisibleToOtherConnectionsOnlyAtEndGroup) {
  auto store = Open();
  auto other = Open();
  store->BeginGroup();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store->Enqueue(Req(), 1000).ok());
  EXPECT_EQ(Count(*store), 3);  // the group's own connection sees them
  EXPECT_EQ(Count(*other), 0);  // nobody else does: not committed, not acknowledged
  ASSERT_TRUE(store->EndGroup().ok());
  EXPECT_EQ(Count(*other), 3);
}

TEST_F(GroupCommitTest, AFailedWriteUndoesOnlyItsOwnPart) {
  auto store = Open();
  auto other = Open();
  store->BeginGroup();
  ASSERT_TRUE(store->Enqueue(Req(), 1000).ok());
  // Two jobs in one batch, the second depending on a job that does not exist: neither is kept.
  auto bad = Req();
  bad.spec.depends_on = {{4242, DepCondition::kSuccess}};
  auto failed = store->EnqueueBatch({Req(), bad}, 1000);
  EXPECT_EQ(failed.status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(store->Enqueue(Req(), 1000).ok());
  ASSERT_TRUE(store->EndGroup().ok());
  EXPECT_EQ(Count(*other), 2);
}

TEST_F(GroupCommitTest, ADecisionSharingTheConnectionCommitsWithTheGroup) {
  auto store = Open();
  auto log = DecisionLog::Share(store->connection());
  auto reader = DecisionLog::Open(dir_.File("jobs.db"));
  ASSERT_TRUE(reader.ok());
  store->BeginGroup();
  DecisionRecord r;
  r.id = "d1";
  r.ts_ms = 1000;
  r.principal = "alice";
  r.method = "tools/call";
  r.tool = "enqueue";
  r.allowed = true;
  r.input_json = "{}";
  r.backend = "native";
  ASSERT_TRUE(log->Record(r).ok());
  auto job = EnqueueRequest(Req());
  job.origin.principal = "alice";
  ASSERT_TRUE(store->Enqueue(job, 1000).ok());
  EXPECT_EQ((*reader)->Recent(10)->size(), 0u);
  ASSERT_TRUE(store->EndGroup().ok());
  EXPECT_EQ((*reader)->Recent(10)->size(), 1u);
  EXPECT_EQ(*(*reader)->CountEnqueues("alice", 0, 1000), 1);
}

TEST_F(GroupCommitTest, EnqueueCountIsCapped) {
  auto store = Open();
  auto log = DecisionLog::Share(store->connection());
  for (int i = 0; i < 5; ++i) {
    auto job = Req();
    job.origin.principal = "bob";
    ASSERT_TRUE(store->Enqueue(job, 1000).ok());
  }
  EXPECT_EQ(*log->CountEnqueues("bob", 0, 1000), 5);
  EXPECT_EQ(*log->CountEnqueues("bob", 0, 3), 3);
  EXPECT_EQ(*log->CountEnqueues("bob", 2000, 1000), 0);
}

TEST_F(GroupCommitTest, WithoutAGroupEveryTransactionCommitsAtOnce) {
  auto store = Open();
  auto other = Open();
  ASSERT_TRUE(store->Enqueue(Req(), 1000).ok());
  EXPECT_EQ(Count(*other), 1);
  EXPECT_TRUE(store->EndGroup().ok());  // no group: nothing to do
}

}  // namespace
}  // namespace baton
