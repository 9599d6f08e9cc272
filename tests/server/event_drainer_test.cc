// EventDrainer end to end: a real SQLite store in a temp dir, a real nats-server -js on a free
// loopback port, a durable JetStream consumer on the other side.
#include "server/events/event_drainer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "base/clock.h"
#include "tests/support/nats_server.h"
#include "tests/support/temp_dir.h"
#include "transport/jetstream_publisher.h"

namespace baton {
namespace {

using baton::testing::FetchAll;
using baton::testing::GetStream;
using baton::testing::NatsServer;
using baton::testing::ReceivedMessage;
using nlohmann::json;

constexpr const char* kAllEvents = "baton.default.job.>";

class EventDrainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = JobStore::Open(dir_.File("baton.db"));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }

  NatsOptions Options() const {
    NatsOptions o;
    o.url = nats_.url();
    o.max_bytes = 64 << 20;  // below the test server's account limit
    o.ack_timeout_ms = 2000;
    o.poll_interval_ms = 20;
    o.retry_initial_ms = 50;
    o.retry_max_ms = 500;
    o.reconnect_min_ms = 50;
    o.reconnect_max_ms = 500;
    return o;
  }

  std::unique_ptr<transport::JetStreamPublisher> Publisher(const NatsOptions& o) {
    auto p = transport::JetStreamPublisher::Create(o);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    for (int i = 0; i < 300 && !(*p)->Connected(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return std::move(p).value();
  }

  // Enqueues job number i and runs it through the store as a runner would: some jobs fail,
  // some are retried once, so jobs have 3 to 5 events of different types.
  JobId RunJob(int i) {
    EnqueueRequest r;
    r.spec.command = {"job", std::to_string(i)};
    r.spec.cwd = "/tmp";
    r.spec.queue = i % 3 == 0 ? "build" : "default";
    auto out = store_->Enqueue(r, Now());
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    jobs_.push_back(out->id);
    int attempts = i % 5 == 0 ? 2 : 1;
    for (int a = 1; a <= attempts; ++a) {
      auto claim = store_->ClaimNext("runner", 1000, Now());
      EXPECT_TRUE(claim.ok() && claim->has_value());
      if (!claim.ok() || !claim->has_value()) break;
      EXPECT_EQ((*claim)->job.id, out->id);
      AttemptEnd end;
      end.job_id = out->id;
      end.attempt = (*claim)->attempt;
      bool fail = a < attempts || i % 7 == 0;
      end.outcome = fail ? AttemptOutcome::kFailed : AttemptOutcome::kSucceeded;
      end.exit_code = fail ? 1 : 0;
      end.next_state = a < attempts ? JobState::kQueued
                                    : (fail ? JobState::kFailed : JobState::kSucceeded);
      EXPECT_TRUE(store_->FinishAttempt(end, Now()).ok());
    }
    return out->id;
  }

  static int64_t Now() { return SystemClock::Instance().NowMs(); }

  bool WaitOutboxEmpty(int timeout_ms) {
    int64_t deadline = MonotonicMs() + timeout_ms;
    while (MonotonicMs() < deadline) {
      auto u = store_->UnpublishedEvents(1);
      if (u.ok() && u->empty()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  // Every event of every job arrived exactly once, and each job's events in id order.
  void ExpectExactlyOnceInOrder(const std::vector<ReceivedMessage>& got) {
    std::set<int64_t> seen;
    std::map<JobId, std::vector<int64_t>> per_job;
    for (const ReceivedMessage& m : got) {
      json p = json::parse(m.payload);
      int64_t id = p["id"];
      JobId job = p["job_id"];
      EXPECT_TRUE(seen.insert(id).second) << "event " << id << " arrived twice";
      EXPECT_EQ(m.subject, "baton.default.job." + p["queue"].get<std::string>() + "." +
                               p["type"].get<std::string>() + "." + std::to_string(job));
      per_job[job].push_back(id);
    }
    size_t expected = 0;
    for (JobId job : jobs_) {
      auto events = store_->JobEvents(job, 0, 1000);
      ASSERT_TRUE(events.ok());
      std::vector<int64_t> ids;
      for (const Event& e : *events) ids.push_back(e.id);
      expected += ids.size();
      EXPECT_EQ(per_job[job], ids) << "job " << job;
    }
    EXPECT_EQ(got.size(), expected);
  }

  testing::TempDir dir_;
  NatsServer nats_;
  std::unique_ptr<JobStore> store_;
  std::vector<JobId> jobs_;
};

TEST_F(EventDrainerTest, EveryEventOfA500JobRunArrivesOnceInOrderPerJob) {
  for (int i = 0; i < 500; ++i) RunJob(i);
  auto total = store_->LastEventId();
  ASSERT_TRUE(total.ok());
  int64_t start = MonotonicMs();
  auto drainer = StartEventDrainer(*store_, Options());
  ASSERT_TRUE(drainer.ok()) << drainer.status().ToString();
  ASSERT_TRUE(WaitOutboxEmpty(60000));
  int64_t ms = std::max<int64_t>(1, MonotonicMs() - start);
  std::printf("[ metric ] drained %lld events in %lld ms: %.0f events/s\n",
              static_cast<long long>(*total), static_cast<long long>(ms),
              1000.0 * static_cast<double>(*total) / static_cast<double>(ms));
  (*drainer)->Shutdown();
  EXPECT_EQ((*drainer)->stats().published, *total);
  EXPECT_EQ((*drainer)->stats().duplicates, 0);
  ExpectExactlyOnceInOrder(FetchAll(nats_.url(), StreamName(Options()), "all", kAllEvents));
}

TEST_F(EventDrainerTest, NatsKilledForMoreThan10SecondsMidRunLosesAndDuplicatesNothing) {
  auto drainer = StartEventDrainer(*store_, Options());
  ASSERT_TRUE(drainer.ok());
  std::atomic<bool> done{false};
  std::atomic<int64_t> slowest_job_ms{0};
  std::thread producer([&] {
    for (int i = 0; i < 300; ++i) {
      int64_t t0 = MonotonicMs();
      RunJob(i);
      (*drainer)->Wake();
      slowest_job_ms = std::max<int64_t>(slowest_job_ms, MonotonicMs() - t0);
      std::this_thread::sleep_for(std::chrono::milliseconds(45));
    }
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::seconds(2));
  nats_.Kill();
  std::this_thread::sleep_for(std::chrono::seconds(11));
  EXPECT_FALSE(done) << "the run should span the outage";
  auto during = store_->UnpublishedEvents(100000);
  ASSERT_TRUE(during.ok());
  EXPECT_GT(during->size(), 100u) << "events wait in the outbox during the outage";
  nats_.Restart();
  producer.join();
  ASSERT_TRUE(WaitOutboxEmpty(60000));
  (*drainer)->Shutdown();
  EXPECT_GT((*drainer)->stats().failed_passes, 0);
  EXPECT_LT(slowest_job_ms, 1000) << "job execution must not wait on NATS";
  ExpectExactlyOnceInOrder(FetchAll(nats_.url(), StreamName(Options()), "all", kAllEvents));
}

// The broker stores the batch but the drainer "dies" before marking the rows: a decorator over
// the real publisher reports every outcome as unknown, as a crash right after publishing would.
class CrashBeforeMark : public transport::EventPublisher {
 public:
  explicit CrashBeforeMark(std::unique_ptr<transport::EventPublisher> real)
      : real_(std::move(real)) {}
  Result<std::vector<transport::PublishOutcome>> PublishBatch(
      const std::vector<transport::OutgoingMessage>& batch) override {
    auto r = real_->PublishBatch(batch);
    if (!r.ok()) return r;
    for (auto& o : *r) {
      EXPECT_TRUE(o.status.ok());
      o.status = Status::Unavailable("killed before MarkPublished");
    }
    published_ += r->size();
    return r;
  }
  bool Connected() const override { return real_->Connected(); }
  size_t published_ = 0;

 private:
  std::unique_ptr<transport::EventPublisher> real_;
};

TEST_F(EventDrainerTest, KilledBetweenPublishAndMarkTheDuplicateIsDroppedByJetStream) {
  for (int i = 0; i < 40; ++i) RunJob(i);
  auto crashing = std::make_unique<CrashBeforeMark>(Publisher(Options()));
  CrashBeforeMark* spy = crashing.get();
  size_t published_before_crash = 0;
  {
    EventDrainer first(*store_, std::move(crashing), Options());
    EXPECT_EQ(first.RunOnce().status().code(), StatusCode::kUnavailable);
    published_before_crash = spy->published_;
  }
  ASSERT_GT(published_before_crash, 0u);
  EXPECT_EQ(store_->UnpublishedEvents(100000)->size(), static_cast<size_t>(*store_->LastEventId()))
      << "nothing was marked";

  EventDrainer second(*store_, Publisher(Options()), Options());  // the restarted baton
  while (true) {
    auto r = second.RunOnce();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (*r == 0) break;
  }
  EXPECT_EQ(second.stats().duplicates, static_cast<int64_t>(published_before_crash));
  ExpectExactlyOnceInOrder(FetchAll(nats_.url(), StreamName(Options()), "all", kAllEvents));
}

TEST_F(EventDrainerTest, StreamLimitsAreAppliedAndRespected) {
  NatsOptions o = Options();
  o.max_msgs = 25;
  o.max_bytes = 48 << 10;
  o.max_age_ms = 3600 * 1000;
  o.duplicate_window_ms = 600 * 1000;
  for (int i = 0; i < 60; ++i) RunJob(i);
  EventDrainer drainer(*store_, Publisher(o), o);
  while (true) {
    auto r = drainer.RunOnce();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (*r == 0) break;
  }
  auto s = GetStream(nats_.url(), StreamName(o));
  EXPECT_EQ(s.max_msgs, 25);
  EXPECT_EQ(s.max_bytes, 48 << 10);
  EXPECT_EQ(s.max_age_ns, 3600LL * 1000 * 1000000);
  EXPECT_EQ(s.duplicates_ns, 600LL * 1000 * 1000000);
  EXPECT_LE(s.msgs, 25u);
  EXPECT_LE(s.bytes, static_cast<uint64_t>(48 << 10));
  EXPECT_EQ(s.last_seq, static_cast<uint64_t>(*store_->LastEventId())) << "all were accepted";
}

TEST_F(EventDrainerTest, ServerDownAtStartEventsFlowOnceItIsUp) {
  nats_.Kill();
  auto drainer = StartEventDrainer(*store_, Options());
  ASSERT_TRUE(drainer.ok()) << drainer.status().ToString();
  for (int i = 0; i < 20; ++i) RunJob(i);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_FALSE((*drainer)->stats().last_error.empty());
  nats_.Restart();
  ASSERT_TRUE(WaitOutboxEmpty(30000));
  ExpectExactlyOnceInOrder(FetchAll(nats_.url(), StreamName(Options()), "all", kAllEvents));
}

// Event written (its ts) -> a subscriber waiting on a durable pull consumer receives it, with the
// default poll interval, with and without the runner waking the drainer.
TEST_F(EventDrainerTest, PublishToSubscriberLatency) {
  struct Case {
    bool wake;
    int64_t max_p50_ms;
  };
  const Case kCases[] = {{true, 100}, {false, NatsOptions{}.poll_interval_ms + 100}};
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.wake ? "with Wake()" : "polling");
    NatsOptions o = Options();
    o.poll_interval_ms = NatsOptions{}.poll_interval_ms;
    auto drainer = StartEventDrainer(*store_, o);
    ASSERT_TRUE(drainer.ok());
    EnqueueRequest first;
    first.spec.command = {"true"};
    first.spec.cwd = "/tmp";
    ASSERT_TRUE(store_->Enqueue(first, Now()).ok());  // the stream exists once this is drained
    ASSERT_TRUE(WaitOutboxEmpty(10000));
    std::string durable = c.wake ? "lat-wake" : "lat-poll";
    FetchAll(nats_.url(), StreamName(o), durable, kAllEvents, 300);  // skip what is there

    std::vector<ReceivedMessage> got;
    std::thread sub([&] { got = FetchAll(nats_.url(), StreamName(o), durable, kAllEvents, 1500); });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    constexpr int kEvents = 30;
    for (int i = 0; i < kEvents; ++i) {
      EnqueueRequest r;
      r.spec.command = {"true"};
      r.spec.cwd = "/tmp";
      ASSERT_TRUE(store_->Enqueue(r, Now()).ok());
      if (c.wake) (*drainer)->Wake();  // what a runner may do after writing events
      std::this_thread::sleep_for(std::chrono::milliseconds(37));
    }
    sub.join();
    (*drainer)->Shutdown();
    ASSERT_EQ(got.size(), static_cast<size_t>(kEvents));
    std::vector<int64_t> latencies;
    for (const ReceivedMessage& m : got)
      latencies.push_back(m.received_ms - json::parse(m.payload)["ts_ms"].get<int64_t>());
    std::sort(latencies.begin(), latencies.end());
    std::printf("[ metric ] event written -> subscriber (%s, poll %lld ms): p50 %lld ms, p90 %lld ms, "
                "max %lld ms\n", c.wake ? "Wake()" : "no wake", static_cast<long long>(o.poll_interval_ms),
                static_cast<long long>(latencies[latencies.size() / 2]),
                static_cast<long long>(latencies[latencies.size() * 9 / 10]),
                static_cast<long long>(latencies.back()));
    EXPECT_LT(latencies[latencies.size() / 2], c.max_p50_ms);
  }
}

}  // namespace
}  // namespace baton
