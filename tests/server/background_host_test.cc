// The background host's start and shutdown order (server/background_host.h), over a real SQLite
// file, real job processes and a real nats-server: parts start before the runner takes its
// lock; on shutdown the runner stops first (a running job is recorded lost), then the drainer
// flushes that job's events to NATS, then the parts stop, and the lock is released last. The
// `baton runner` binary, built on the host, stops the same way on SIGTERM.
#include "server/background_host.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "server/jobs/runner_supervisor.h"
#include "storage/job_store.h"
#include "tests/support/nats_server.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"
#include "transport/doorbell.h"

namespace baton {
namespace {

bool WaitFor(const std::function<bool()>& done, int64_t timeout_ms) {
  int64_t deadline = MonotonicMs() + timeout_ms;
  while (MonotonicMs() < deadline) {
    if (done()) return true;
    usleep(20000);
  }
  return done();
}

// A part that notes, as it starts and stops, what the rest of the host has done by then.
struct OrderProbe {
  std::function<void()> on_start, on_shutdown;
  Status Start() {
    if (on_start) on_start();
    return Status::OK();
  }
  void Shutdown() {
    if (on_shutdown) on_shutdown();
  }
};

// The runner loop of a kForeground host on a thread of its own (as `baton runner` runs it on its
// main thread); stopped and joined when it goes, so a failed assertion cannot leave it running.
class RunLoop {
 public:
  explicit RunLoop(BackgroundHost& host) : host_(host), thread_([&host] { host.Run(); }) {}
  ~RunLoop() { Stop(); }
  // Idempotent: once joined it touches the host no more (the test may have destroyed it).
  void Stop() {
    if (!thread_.joinable()) return;
    host_.StopSoon();
    thread_.join();
  }

 private:
  BackgroundHost& host_;
  std::thread thread_;
};

class BackgroundHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("baton.db");
    store_ = std::move(JobStore::Open(db_)).value();
  }

  NatsOptions Nats() const {
    NatsOptions o;
    o.url = nats_.url();
    o.max_bytes = 64 << 20;  // below the test server's JetStream account limit
    return o;
  }

  BackgroundHostOptions Options(RunnerHosting hosting) const {
    BackgroundHostOptions o;
    o.db_path = db_;
    o.hosting = hosting;
    o.runner.concurrency = 2;
    o.runner.kill_grace_s = 0.5;
    return o;
  }

  JobId EnqueueSleep() {
    EnqueueRequest r;
    r.spec.command = {"sleep", "30"};
    r.spec.cwd = dir_.path();
    auto out = store_->Enqueue(r, SystemClock::Instance().NowMs());
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    // Ring as a front-end does after enqueueing: a runner already asleep looks only when rung.
    (void)transport::Doorbell::Ring(ResolveStatePaths(db_)->runner_bell);  // none yet: it looks at start
    return out.ok() ? out->id : 0;
  }

  JobState State(JobId id) { return store_->Get(id)->state; }
  size_t Unpublished() { return store_->UnpublishedEvents(100)->size(); }
  std::string LockPath() { return ResolveStatePaths(db_)->runner_lock; }

  testing::TempDir dir_;
  testing::NatsServer nats_;
  std::string db_;
  std::unique_ptr<JobStore> store_;
};

TEST_F(BackgroundHostTest, ShutdownStopsTheRunnerThenFlushesItsEventsThenStopsTheParts) {
  BackgroundHostOptions o = Options(RunnerHosting::kForeground);
  o.nats = Nats();
  JobId job = 0;
  bool lock_held_at_part_start = true;
  std::optional<JobState> state_at_part_shutdown;
  size_t unpublished_at_part_shutdown = 1000;
  OrderProbe probe;
  probe.on_start = [&] { lock_held_at_part_start = RunnerHoldsLock(LockPath()); };
  probe.on_shutdown = [&] {
    state_at_part_shutdown = State(job);
    unpublished_at_part_shutdown = Unpublished();
  };
  // After the probe: a failed assertion destroys the host (which stops the probe) first.
  auto host = std::move(BackgroundHost::Open(o)).value();
  ASSERT_TRUE(host->AddPart("order probe", probe).ok());
  ASSERT_TRUE(host->Start().ok());
  EXPECT_FALSE(lock_held_at_part_start) << "parts start before the runner takes its lock";
  ASSERT_TRUE(host->hosts_runner());
  EXPECT_TRUE(RunnerHoldsLock(LockPath()));

  RunLoop loop(*host);
  job = EnqueueSleep();
  ASSERT_TRUE(WaitFor([&] { return State(job) == JobState::kRunning; }, 10000));
  loop.Stop();  // StopSoon, as SIGTERM does in `baton runner`; Run returns
  host->Shutdown();

  auto attempts = store_->Attempts(job);
  ASSERT_TRUE(attempts.ok());
  ASSERT_EQ(attempts->size(), 1u);
  EXPECT_EQ((*attempts)[0].outcome, AttemptOutcome::kLost) << "the running job is recorded";
  ASSERT_TRUE(state_at_part_shutdown.has_value());
  EXPECT_NE(*state_at_part_shutdown, JobState::kRunning) << "the runner stopped before the parts";
  EXPECT_EQ(unpublished_at_part_shutdown, 0u) << "the drainer flushed before the parts stopped";
  EXPECT_EQ(Unpublished(), 0u);
  auto events = store_->JobEvents(job, 0, 100);
  ASSERT_TRUE(events.ok());
  auto got = testing::FetchAll(nats_.url(), "BATON_EVENTS", "check", "baton.default.job.>");
  EXPECT_EQ(got.size(), events->size()) << "every event of the job, its end included, is in NATS";

  EXPECT_TRUE(RunnerHoldsLock(LockPath())) << "the lock is held until the host is destroyed";
  host.reset();
  EXPECT_FALSE(RunnerHoldsLock(LockPath()));
}

TEST_F(BackgroundHostTest, SecondHostFindsTheLockHeldAndHostsNoRunner) {
  auto first = std::move(BackgroundHost::Open(Options(RunnerHosting::kForeground))).value();
  ASSERT_TRUE(first->Start().ok());
  ASSERT_TRUE(first->hosts_runner());
  RunLoop loop(*first);
  BackgroundHostOptions o = Options(RunnerHosting::kForeground);
  o.lock_wait_ms = 100;
  auto second = std::move(BackgroundHost::Open(o)).value();
  ASSERT_TRUE(second->Start().ok()) << "a lock held elsewhere is no error";
  EXPECT_FALSE(second->hosts_runner());
  second->Run();  // returns at once: nothing to run
  second.reset();
  EXPECT_TRUE(RunnerHoldsLock(LockPath())) << "the first host's runner still serves";
}

TEST_F(BackgroundHostTest, HostWithoutRunnerStartsAndStopsOnlyItsParts) {
  auto host = std::move(BackgroundHost::Open(Options(RunnerHosting::kNone))).value();
  int started = 0, stopped = 0;
  OrderProbe probe;
  probe.on_start = [&] { ++started; };
  probe.on_shutdown = [&] { ++stopped; };
  ASSERT_TRUE(host->Start().ok());
  ASSERT_TRUE(host->AddPart("late part", probe).ok()) << "a part added after Start starts at once";
  EXPECT_EQ(started, 1);
  EXPECT_FALSE(host->hosts_runner());
  EXPECT_FALSE(RunnerHoldsLock(LockPath()));
  host->Shutdown();
  host->Shutdown();
  EXPECT_EQ(stopped, 1) << "Shutdown is idempotent";
}

// A part whose Start fails with the given status (and counts its shutdowns).
struct FailingPart {
  Status why;
  int shutdowns = 0;
  Status Start() { return why; }
  void Shutdown() { ++shutdowns; }
};

TEST_F(BackgroundHostTest, OptionalPartThatDoesNotStartIsLeftOutARequiredOneFailsTheStart) {
  auto optional = std::make_shared<FailingPart>(FailingPart{Status::Unavailable("no inotify")});
  auto host = std::move(BackgroundHost::Open(Options(RunnerHosting::kNone))).value();
  ASSERT_TRUE(host->AddPart("watcher", optional, PartNeed::kOptional).ok());
  ASSERT_TRUE(host->Start().ok()) << "an optional part is logged and left out";
  host->Shutdown();
  EXPECT_EQ(optional->shutdowns, 0) << "a part that did not start is not shut down";

  FailingPart required{Status::Unavailable("no port")};
  auto second = std::move(BackgroundHost::Open(Options(RunnerHosting::kNone))).value();
  ASSERT_TRUE(second->AddPart("listener", required).ok());
  Status s = second->Start();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("listener"), std::string::npos) << s.ToString();
}

TEST_F(BackgroundHostTest, SharedPartOutlivesItsCreatorUntilTheHostShutsItDown) {
  auto host = std::move(BackgroundHost::Open(Options(RunnerHosting::kNone))).value();
  ASSERT_TRUE(host->Start().ok());
  int stopped = 0;
  {
    auto part = std::make_shared<OrderProbe>();
    part->on_shutdown = [&] { ++stopped; };
    ASSERT_TRUE(host->AddPart("shared", part).ok());
  }  // the creator lets go (a policy guard destroyed before the host)
  host->Shutdown();
  EXPECT_EQ(stopped, 1);
}

TEST_F(BackgroundHostTest, RunnerCommandStopsOnSigtermWithItsRunningJobRecordedAndPublished) {
  if (!std::filesystem::exists(testing::BatonBinary()))
    GTEST_SKIP() << "no baton binary ($BATON_BIN)";
  testing::Subprocess runner({testing::BatonBinary(), "runner", "--db", db_, "--nats", nats_.url(),
                              "--nats-max-bytes", std::to_string(64 << 20)});
  JobId job = EnqueueSleep();
  ASSERT_TRUE(WaitFor([&] { return State(job) == JobState::kRunning; }, 15000))
      << runner.Stderr();
  runner.Kill(SIGTERM);
  auto status = runner.Wait(20000);
  ASSERT_TRUE(status.has_value()) << "baton runner did not stop on SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << runner.Stderr();
  auto attempts = store_->Attempts(job);
  ASSERT_TRUE(attempts.ok());
  ASSERT_EQ(attempts->size(), 1u);
  EXPECT_EQ((*attempts)[0].outcome, AttemptOutcome::kLost);
  EXPECT_EQ(Unpublished(), 0u) << "the runner's events were flushed to NATS before it exited";
  EXPECT_FALSE(RunnerHoldsLock(LockPath()));
  EXPECT_NE(runner.Stderr().find("stopped"), std::string::npos) << runner.Stderr();
}

}  // namespace
}  // namespace baton
