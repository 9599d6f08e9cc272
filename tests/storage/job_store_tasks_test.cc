// The tasks table: a task is found only by the principal that created it, not after its ttl, and
// across a reopen of the database (another front-end, or the same one restarted).
#include <gtest/gtest.h>

#include "storage/job_store.h"
#include "tests/support/temp_dir.h"

namespace baton {
namespace {

class JobStoreTasksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Open();
    EnqueueRequest r;
    r.spec.command = {"true"};
    r.spec.cwd = "/tmp";
    auto out = store_->Enqueue(r, 1000);
    ASSERT_TRUE(out.ok());
    job_ = out->id;
  }
  std::unique_ptr<JobStore> Open() {
    auto s = JobStore::Open(dir_.File("jobs.db"));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }
  TaskRecord Task(const std::string& id, const std::string& principal,
                  std::optional<int64_t> ttl_ms = 60000) {
    TaskRecord t;
    t.id = id;
    t.principal = principal;
    t.session = "s1";
    t.era = "2026-07-28";
    t.tool = "status";
    t.job_ids = {job_};
    t.view_json = R"({"tail_bytes":100})";
    t.created_ms = 10000;
    t.ttl_ms = ttl_ms;
    return t;
  }
  testing::TempDir dir_;
  std::unique_ptr<JobStore> store_;
  JobId job_ = 0;
};

TEST_F(JobStoreTasksTest, FoundOnlyByItsPrincipal) {
  ASSERT_TRUE(store_->CreateTask(Task("t1", "alice")).ok());
  auto got = store_->GetTask("t1", "alice", 10001);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->job_ids, std::vector<JobId>{job_});
  EXPECT_EQ(got->view_json, R"({"tail_bytes":100})");
  EXPECT_EQ(got->tool, "status");
  EXPECT_FALSE(got->cancelled_ms.has_value());

  auto other = store_->GetTask("t1", "mallory", 10001);
  EXPECT_EQ(other.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->MarkTaskCancelled("t1", "mallory", 10002).code(), StatusCode::kNotFound);
  auto listed = store_->ListTasks("mallory", 0, 10, 10001);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

TEST_F(JobStoreTasksTest, UnknownIdIsNotFound) {
  EXPECT_EQ(store_->GetTask("nope", "alice", 0).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->MarkTaskCancelled("nope", "alice", 0).code(), StatusCode::kNotFound);
}

TEST_F(JobStoreTasksTest, ATaskOnAMissingJobIsRejected) {
  TaskRecord t = Task("t1", "alice");
  t.job_ids.push_back(job_ + 100);
  EXPECT_EQ(store_->CreateTask(t).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetTask("t1", "alice", 10001).status().code(), StatusCode::kNotFound);
}

TEST_F(JobStoreTasksTest, ExpiresAfterItsTtl) {
  ASSERT_TRUE(store_->CreateTask(Task("short", "alice", 5000)).ok());
  ASSERT_TRUE(store_->CreateTask(Task("forever", "alice", std::nullopt)).ok());
  EXPECT_TRUE(store_->GetTask("short", "alice", 14999).ok());
  EXPECT_EQ(store_->GetTask("short", "alice", 15000).status().code(), StatusCode::kNotFound);
  auto listed = store_->ListTasks("alice", 0, 10, 15000);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, "forever");
  auto pruned = store_->PruneExpiredTasks(15000);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 1);
  EXPECT_TRUE(store_->GetTask("forever", "alice", 1LL << 50).ok());
}

TEST_F(JobStoreTasksTest, CancelledOnceAndListedInOrderAcrossAReopen) {
  for (const char* id : {"a", "b", "c"}) ASSERT_TRUE(store_->CreateTask(Task(id, "alice")).ok());
  ASSERT_TRUE(store_->MarkTaskCancelled("b", "alice", 12000).ok());
  ASSERT_TRUE(store_->MarkTaskCancelled("b", "alice", 13000).ok());  // the first time counts
  store_.reset();
  auto reopened = Open();
  auto b = reopened->GetTask("b", "alice", 14000);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->cancelled_ms, 12000);
  auto page = reopened->ListTasks("alice", 0, 2, 14000);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, "a");
  EXPECT_EQ((*page)[1].id, "b");
  auto rest = reopened->ListTasks("alice", (*page)[1].seq, 2, 14000);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].id, "c");
}

}  // namespace
}  // namespace baton
