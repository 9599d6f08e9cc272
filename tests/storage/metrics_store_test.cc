// The totals /metrics reads are kept by the database itself (migration 5): a job's state
// changes move the gauge, finishing counts once per end, attempts fill the histograms, and
// retention, which deletes the jobs, never makes a counter go down.
#include "storage/metrics_store.h"

#include <gtest/gtest.h>

#include <limits>

#include "storage/job_store.h"
#include "tests/support/temp_dir.h"

namespace baton {
namespace {

int64_t JobCount(const MetricsSnapshot& s, const std::string& queue, const std::string& state) {
  for (const auto& j : s.jobs)
    if (j.queue == queue && j.state == state) return j.n;
  return 0;
}

int64_t Counter(const MetricsSnapshot& s, const std::string& family, const std::string& l1,
                const std::string& l2 = "", const std::string& l3 = "") {
  for (const auto& c : s.counters)
    if (c.family == family && c.l1 == l1 && c.l2 == l2 && c.l3 == l3) return c.n;
  return 0;
}

int64_t HistogramCount(const MetricsSnapshot& s, const std::string& family,
                       const std::string& queue) {
  int64_t n = 0;
  for (const auto& b : s.buckets)
    if (b.family == family && b.queue == queue) n += b.n;
  return n;
}

class MetricsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = JobStore::Open(dir_.File("jobs.db"));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    auto m = MetricsStore::Open(dir_.File("jobs.db"));
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    metrics_ = std::move(m).value();
  }
  JobId Enqueue(const std::string& queue, int64_t now_ms) {
    EnqueueRequest r;
    r.spec.command = {"true"};
    r.spec.cwd = "/tmp";
    r.spec.queue = queue;
    auto out = store_->Enqueue(r, now_ms);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? out->id : 0;
  }
  // Claims the next job at `start_ms` and ends its attempt at `end_ms`.
  JobId Run(AttemptOutcome outcome, JobState next, int64_t start_ms, int64_t end_ms) {
    auto claim = store_->ClaimNext("runner-1", 8, start_ms);
    EXPECT_TRUE(claim.ok() && claim->has_value());
    if (!claim.ok() || !claim->has_value()) return 0;
    AttemptEnd end;
    end.job_id = (*claim)->job.id;
    end.attempt = (*claim)->attempt;
    end.outcome = outcome;
    end.next_state = next;
    EXPECT_TRUE(store_->FinishAttempt(end, end_ms).ok());
    return end.job_id;
  }
  MetricsSnapshot Read() {
    auto s = metrics_->Read();
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : MetricsSnapshot{};
  }
  testing::TempDir dir_;
  std::unique_ptr<JobStore> store_;
  std::unique_ptr<MetricsStore> metrics_;
};

TEST_F(MetricsStoreTest, StateChangesMoveTheGaugeAndEndsCountOnce) {
  Enqueue("ci", 1000);
  Enqueue("ci", 1000);
  Enqueue("ci", 1000);
  MetricsSnapshot s = Read();
  EXPECT_EQ(JobCount(s, "ci", "queued"), 3);
  ASSERT_TRUE(s.queues.size() == 1 && s.queues[0].name == "ci");
  EXPECT_EQ(s.queues[0].oldest_queued_ms, 1000);

  Run(AttemptOutcome::kSucceeded, JobState::kSucceeded, 1200, 1700);   // waited 0.2 s, ran 0.5 s
  Run(AttemptOutcome::kTimeout, JobState::kFailed, 1300, 61300);      // ran 60 s
  Run(AttemptOutcome::kLost, JobState::kFailed, 1400, 1500);
  s = Read();
  EXPECT_EQ(JobCount(s, "ci", "queued"), 0);
  EXPECT_EQ(JobCount(s, "ci", "succeeded"), 1);
  EXPECT_EQ(JobCount(s, "ci", "failed"), 2);
  EXPECT_EQ(Counter(s, "jobs_finished", "ci", "succeeded"), 1);
  EXPECT_EQ(Counter(s, "jobs_finished", "ci", "timed_out"), 1);
  EXPECT_EQ(Counter(s, "jobs_finished", "ci", "lost"), 1);
  EXPECT_EQ(Counter(s, "jobs_finished", "ci", "failed"), 0);
  EXPECT_EQ(HistogramCount(s, "job_duration", "ci"), 3);
  EXPECT_EQ(HistogramCount(s, "queue_wait", "ci"), 3);
  EXPECT_FALSE(s.queues[0].oldest_queued_ms.has_value());
  // Each attempt in the smallest bucket that holds it: 0.5 s in le=500 ms, 60 s in le=60000.
  for (const auto& b : s.buckets) {
    if (b.family != "job_duration") continue;
    if (b.le_ms == 500) {
      EXPECT_EQ(b.n, 1);
    }
    if (b.le_ms == 60000) {
      EXPECT_EQ(b.sum_ms, 60000);
    }
  }
  EXPECT_EQ(s.bounds_ms.back(), std::numeric_limits<int64_t>::max());
}

TEST_F(MetricsStoreTest, RetentionNeverMakesACounterGoDown) {
  for (int i = 0; i < 3; ++i) Enqueue("default", 1000);
  for (int i = 0; i < 3; ++i) Run(AttemptOutcome::kSucceeded, JobState::kSucceeded, 2000, 3000);
  auto pruned = store_->Prune(/*cutoff_ms=*/10000, 100);
  ASSERT_TRUE(pruned.ok());
  ASSERT_EQ(pruned->jobs.size(), 3u);
  MetricsSnapshot s = Read();
  EXPECT_EQ(JobCount(s, "default", "succeeded"), 0);  // the gauge follows the rows
  EXPECT_EQ(Counter(s, "jobs_finished", "default", "succeeded"), 3);  // the counter does not
  EXPECT_EQ(HistogramCount(s, "job_duration", "default"), 3);
}

TEST_F(MetricsStoreTest, RequestCountsAddUp) {
  CounterDeltas d = {{{"http", "tools/call", "ok"}, 2}, {{"stdio", "ping", "ok"}, 1}};
  ASSERT_TRUE(metrics_->AddCounts("mcp_requests", d).ok());
  ASSERT_TRUE(metrics_->AddCounts("mcp_requests", d).ok());
  // Another connection (another process) sees the same totals.
  auto other = MetricsStore::Open(dir_.File("jobs.db"));
  ASSERT_TRUE(other.ok());
  auto s = (*other)->Read();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Counter(*s, "mcp_requests", "http", "tools/call", "ok"), 4);
  EXPECT_EQ(Counter(*s, "mcp_requests", "stdio", "ping", "ok"), 2);
}

}  // namespace
}  // namespace baton
