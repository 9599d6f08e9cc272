// The real `baton runner --nats URL` over a real SQLite file and a real nats-server: every event
// of a 500-job run reaches a durable JetStream consumer exactly once, in order per job, also when
// nats-server is killed for more than 10 s in the middle of the run.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "base/clock.h"
#include "server/events/event_drainer.h"
#include "storage/job_store.h"
#include "tests/support/nats_server.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace baton {
namespace {

using nlohmann::json;

class EventDrainerBatonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(testing::BatonBinary()))
      GTEST_SKIP() << "no baton binary ($BATON_BIN)";
    db_ = dir_.File("baton.db");
  }

  // Enqueues `n` jobs running `argv` straight into the database the runner will serve.
  std::vector<JobId> Enqueue(int n, const std::vector<std::string>& argv) {
    auto store = std::move(JobStore::Open(db_)).value();
    std::vector<JobId> ids;
    for (int i = 0; i < n; ++i) {
      EnqueueRequest r;
      r.spec.command = argv;
      r.spec.cwd = "/tmp";
      r.spec.queue = i % 2 ? "default" : "build";
      auto out = store->Enqueue(r, SystemClock::Instance().NowMs());
      EXPECT_TRUE(out.ok());
      ids.push_back(out->id);
    }
    return ids;
  }

  std::unique_ptr<testing::Subprocess> Runner(const std::string& concurrency,
                                              const std::string& idle_exit) {
    return std::make_unique<testing::Subprocess>(std::vector<std::string>{
        testing::BatonBinary(), "runner", "--db", db_, "--nats", nats_.url(), "--concurrency",
        concurrency, "--idle-exit", idle_exit,
        // below the test server's JetStream account limit (the default is 1 GiB)
        "--nats-max-bytes", std::to_string(64 << 20)});
  }

  void ExpectEveryEventOnceInOrder(const std::vector<JobId>& jobs) {
    auto store = std::move(JobStore::Open(db_)).value();
    auto unpublished = store->UnpublishedEvents(10);
    ASSERT_TRUE(unpublished.ok());
    EXPECT_TRUE(unpublished->empty()) << "the runner left events in the outbox";
    auto got = testing::FetchAll(nats_.url(), "BATON_EVENTS", "check", "baton.default.job.>");
    std::set<int64_t> seen;
    std::map<JobId, std::vector<int64_t>> per_job;
    for (const auto& m : got) {
      json p = json::parse(m.payload);
      EXPECT_TRUE(seen.insert(p["id"].get<int64_t>()).second) << "duplicate " << m.payload;
      per_job[p["job_id"].get<JobId>()].push_back(p["id"].get<int64_t>());
    }
    size_t total = 0;
    for (JobId job : jobs) {
      auto events = store->JobEvents(job, 0, 1000);
      ASSERT_TRUE(events.ok());
      std::vector<int64_t> ids;
      for (const Event& e : *events) ids.push_back(e.id);
      EXPECT_GE(ids.size(), 3u) << "enqueued, running, and an end";
      EXPECT_EQ(per_job[job], ids) << "job " << job;
      total += ids.size();
    }
    EXPECT_EQ(got.size(), total);
  }

  testing::TempDir dir_;
  testing::NatsServer nats_;
  std::string db_;
};

TEST_F(EventDrainerBatonTest, EveryEventOfA500JobRunArrivesOnceInOrderPerJob) {
  auto jobs = Enqueue(500, {"true"});
  auto runner = Runner("8", "3");
  auto status = runner->Wait(240000);
  ASSERT_TRUE(status.has_value()) << runner->Stderr();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << runner->Stderr();
  ExpectEveryEventOnceInOrder(jobs);
  if (HasFailure()) std::fprintf(stderr, "runner stderr:\n%s\n", runner->Stderr().c_str());
}

TEST_F(EventDrainerBatonTest, NatsKilledForMoreThan10SecondsMidRunLosesAndDuplicatesNothing) {
  auto jobs = Enqueue(500, {"sleep", "0.05"});  // about 13 s of work at concurrency 2
  auto runner = Runner("2", "10");
  std::this_thread::sleep_for(std::chrono::seconds(2));
  nats_.Kill();
  std::this_thread::sleep_for(std::chrono::seconds(11));
  nats_.Restart();
  auto status = runner->Wait(240000);
  ASSERT_TRUE(status.has_value()) << runner->Stderr();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << runner->Stderr();
  ExpectEveryEventOnceInOrder(jobs);
  if (HasFailure()) std::fprintf(stderr, "runner stderr:\n%s\n", runner->Stderr().c_str());
}

// Issue 5: a runner that idle-exits right after its last job must not leave that job's events in
// the outbox for a runner that may start much later. NATS is down while the job runs and comes
// back only after the runner went idle: the events still reach the stream before it exits.
TEST_F(EventDrainerBatonTest, IdleExitWaitsForTheOutboxToDrain) {
  nats_.Kill();
  auto jobs = Enqueue(1, {"true"});
  auto runner = Runner("1", "0.2");
  std::this_thread::sleep_for(std::chrono::seconds(1));  // idle by now, flushing before exit
  EXPECT_FALSE(runner->Wait(0).has_value()) << "exited with the outbox not drained";
  nats_.Restart();
  auto status = runner->Wait(30000);
  ASSERT_TRUE(status.has_value()) << runner->Stderr();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << runner->Stderr();
  ExpectEveryEventOnceInOrder(jobs);
  if (HasFailure()) std::fprintf(stderr, "runner stderr:\n%s\n", runner->Stderr().c_str());
}

}  // namespace
}  // namespace baton
