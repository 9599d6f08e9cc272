// DecisionLog::CountEnqueues, the rate fact policies see (docs/policy.md, input.stats): counted
// incrementally, it must give what counting the jobs table afresh gives, whichever connection
// (process) inserted the jobs.
#include "storage/decision_log.h"

#include <gtest/gtest.h>

#include "storage/job_store.h"
#include "tests/support/temp_dir.h"

namespace baton {
namespace {

class DecisionLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<JobStore> Open() {
    auto s = JobStore::Open(dir_.File("jobs.db"));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }
  static void Enqueue(JobStore& store, const std::string& principal, int64_t now_ms) {
    EnqueueRequest r;
    r.spec.command = {"true"};
    r.spec.cwd = "/tmp";
    r.origin.principal = principal;
    ASSERT_TRUE(store.Enqueue(r, now_ms).ok());
  }
  // What a process that never counted before answers.
  int64_t CountAfresh(const std::string& principal, int64_t since_ms, int64_t cap) {
    auto log = DecisionLog::Open(dir_.File("jobs.db"));
    EXPECT_TRUE(log.ok());
    return *(*log)->CountEnqueues(principal, since_ms, cap);
  }
  testing::TempDir dir_;
};

TEST_F(DecisionLogTest, EnqueueCountSeesJobsOtherConnectionsInsertAfterTheFirstCount) {
  auto store = Open();
  auto other = Open();  // another front-end
  auto log = DecisionLog::Share(store->connection());
  Enqueue(*store, "alice", 1000);
  EXPECT_EQ(*log->CountEnqueues("alice", 0, 200), 1);
  for (int i = 0; i < 3; ++i) Enqueue(*other, "alice", 1100);
  Enqueue(*other, "bob", 1100);
  Enqueue(*store, "alice", 1200);
  EXPECT_EQ(*log->CountEnqueues("alice", 0, 200), 5);
  EXPECT_EQ(*log->CountEnqueues("bob", 0, 200), 1);
  EXPECT_EQ(*log->CountEnqueues("carol", 0, 200), 0);
  EXPECT_EQ(CountAfresh("alice", 0, 200), 5);
}

TEST_F(DecisionLogTest, EnqueuesAgeOutOfTheWindowAndTheCapHoldsAsItSlides) {
  auto store = Open();
  auto log = DecisionLog::Share(store->connection());
  for (int64_t t : {1000, 2000, 3000, 4000, 5000}) Enqueue(*store, "alice", t);
  struct Case { int64_t since_ms, cap, want; };
  // since_ms only grows, as the clock does; each count must equal a fresh one.
  for (const Case& c : {Case{0, 3, 3}, Case{1500, 3, 3}, Case{2500, 3, 3}, Case{3500, 3, 2},
                        Case{4500, 3, 1}, Case{5500, 3, 0}}) {
    SCOPED_TRACE("since " + std::to_string(c.since_ms));
    EXPECT_EQ(*log->CountEnqueues("alice", c.since_ms, c.cap), c.want);
    EXPECT_EQ(CountAfresh("alice", c.since_ms, c.cap), c.want);
  }
  Enqueue(*store, "alice", 6000);
  EXPECT_EQ(*log->CountEnqueues("alice", 5500, 3), 1);
}

TEST_F(DecisionLogTest, EnqueueCountStartsAfreshWhenTheClockGoesBackOrTheCapChanges) {
  auto store = Open();
  auto log = DecisionLog::Share(store->connection());
  for (int64_t t : {1000, 2000, 3000}) Enqueue(*store, "alice", t);
  EXPECT_EQ(*log->CountEnqueues("alice", 2500, 200), 1);
  EXPECT_EQ(*log->CountEnqueues("alice", 1500, 200), 2);  // the clock went back
  EXPECT_EQ(*log->CountEnqueues("alice", 0, 2), 2);
  EXPECT_EQ(*log->CountEnqueues("alice", 0, 200), 3);  // a larger cap reads what a smaller dropped
}

}  // namespace
}  // namespace baton
