// Storage and file-system faults at each step of a job's way (issue 15, item 2), injected into a
// real `baton` process through its fault plan (storage/fault_plan.h: fail the Nth database
// commit, every write, a log file's open or write), over a real SQLite file and real job
// processes: enqueue -> claim -> start -> finish -> event. After each fault clears, within a
// bounded time: no acknowledged job is lost, none is stuck (every one reaches its final state, no
// attempt is left open), its events are whole (one per transition, none twice), and the runner
// is consistent: with nothing left to do it idle-exits on its own, holding nothing.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "storage/fault_plan.h"
#include "tests/server/runner_fixture.h"
#include "tests/support/subprocess.h"
#include "transport/doorbell.h"

namespace baton {
namespace {

using baton::testing::ReadFile;
using baton::testing::RunCommand;
using baton::testing::Subprocess;
using baton::testing::WriteFile;

constexpr int64_t kSettleMs = 15000;  // the bound: a fault cleared, every job final within it

class RunnerFaultInjectionTest : public testing::RunnerFixture {
 protected:
  // A real runner that idle-exits after `idle_exit_s`; faults follow plan_file_ while it exists.
  std::unique_ptr<Subprocess> LaunchRunnerProcess(int idle_exit_s = 2) {
    return std::make_unique<Subprocess>(
        std::vector<std::string>{baton::testing::BatonBinary(), "runner", "--db", paths_.db,
                                 "--concurrency", "4", "--lock-wait", "5", "--idle-exit",
                                 std::to_string(idle_exit_s), "--log-level", "debug"},
        std::map<std::string, std::string>{{storage::kFaultInjectEnv, plan_file_}});
  }
  // LaunchRunnerProcess(), once it serves.
  std::unique_ptr<Subprocess> StartRunnerProcess(int idle_exit_s = 2) {
    auto runner = LaunchRunnerProcess(idle_exit_s);
    EXPECT_TRUE(StderrSays(*runner, "serves", 10000)) << runner->Stderr();
    // Past its first heartbeat (the next is 5 s away), so that a test counting commits counts
    // the job's own.
    WaitFor([&] {
      auto r = store_->LatestRunner();
      return r.ok() && *r && (*r)->heartbeat_ms > (*r)->started_ms;
    }, 2000);
    usleep(100000);
    return runner;
  }
  void Plan(const std::string& rules) { WriteFile(plan_file_, rules); }
  void Heal() { unlink(plan_file_.c_str()); }
  void Ring() { (void)transport::Doorbell::Ring(paths_.runner_bell); }

  static bool WaitFor(const std::function<bool()>& done, int64_t timeout_ms) {
    int64_t deadline = MonotonicMs() + timeout_ms;
    while (MonotonicMs() < deadline) {
      if (done()) return true;
      usleep(20000);
    }
    return done();
  }
  static bool StderrSays(Subprocess& p, const std::string& text, int64_t timeout_ms) {
    return WaitFor([&] { return p.Stderr().find(text) != std::string::npos; }, timeout_ms);
  }
  JobState State(JobId id) { return store_->Get(id)->state; }
  bool Final(JobId id) { return IsTerminal(State(id)); }

  // The job reached `want`, every attempt of it ended, and its history has one `running` event
  // per attempt and exactly one final event, the last.
  void ExpectSettled(JobId id, JobState want) {
    SCOPED_TRACE("job " + std::to_string(id));
    EXPECT_EQ(ToString(State(id)), ToString(want));
    auto attempts = store_->Attempts(id);
    ASSERT_TRUE(attempts.ok());
    for (const Attempt& a : *attempts)
      EXPECT_TRUE(a.ended_ms.has_value()) << "attempt " << a.number << " left open";
    auto events = store_->JobEvents(id, 0, 1000);
    ASSERT_TRUE(events.ok());
    int running = 0, final_events = 0;
    for (const Event& e : *events) {
      if (e.type == "running") ++running;
      auto state = JobStateFromString(e.type);
      if (state && IsTerminal(*state)) ++final_events;
    }
    EXPECT_EQ(running, static_cast<int>(attempts->size()));
    EXPECT_EQ(final_events, 1);
    ASSERT_FALSE(events->empty());
    EXPECT_EQ(events->back().type, ToString(want));
  }
  // Nothing left to do and nothing held: the runner exits on its own, cleanly.
  void ExpectIdleExit(Subprocess& runner) {
    auto status = runner.Wait(20000);  // beyond the longest --idle-exit used here (10 s)
    ASSERT_TRUE(status.has_value()) << "the runner did not idle-exit\n" << runner.Stderr();
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << runner.Stderr();
  }
  // CPU time (user + system) of a process, in clock ticks.
  static long CpuTicks(pid_t pid) {
    std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
    std::istringstream rest(stat.substr(stat.rfind(')') + 2));
    std::string field;
    long ticks = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i)
      if (i >= 14) ticks += std::stol(field);
    return ticks;
  }

  std::string plan_file_ = dir_.File("fault-plan");
};

// Enqueue: a `baton enqueue` whose Nth commit fails either says so (nothing acknowledged) or
// prints an id, and then that job runs. The sweep covers every commit the command makes.
TEST_F(RunnerFaultInjectionTest, EnqueueWithAFailedCommitIsRefusedOrDurable) {
  auto runner = StartRunnerProcess(/*idle_exit_s=*/10);  // holds the lock: the CLI only rings it
  std::vector<JobId> acknowledged;
  int refused = 0;
  for (int n = 1; n <= 6; ++n) {
    SCOPED_TRACE("db.commit " + std::to_string(n));
    WriteFile(dir_.File("cli-plan"), "db.commit " + std::to_string(n) + "\n");
    auto [status, out] = RunCommand(
        {baton::testing::BatonBinary(), "enqueue", "--db", paths_.db, "--", "echo", "hi"},
        {{storage::kFaultInjectEnv, dir_.File("cli-plan")}});
    unlink(dir_.File("cli-plan").c_str());
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      acknowledged.push_back(std::stoll(out));
    } else {
      ++refused;
    }
  }
  EXPECT_GT(refused, 0) << "the sweep never hit the enqueue's own commit";
  auto all = store_->List(JobFilter{});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), acknowledged.size()) << "a refused enqueue left a job behind";
  for (JobId id : acknowledged) {
    ASSERT_TRUE(WaitFor([&] { return Final(id); }, kSettleMs)) << ToString(State(id));
    ExpectSettled(id, JobState::kSucceeded);
  }
  for (const Job& j : *all) {
    ASSERT_TRUE(WaitFor([&] { return Final(j.id); }, kSettleMs)) << ToString(State(j.id));
    ExpectSettled(j.id, JobState::kSucceeded);
  }
  ExpectIdleExit(*runner);
}

// Claim: every write fails as a job arrives; the claim is retried with backoff (not only on the
// next ring) and the runner does not spin meanwhile. A delayed job's promotion likewise.
TEST_F(RunnerFaultInjectionTest, ClaimAndPromotionFailingAreRetriedWithoutARing) {
  auto runner = StartRunnerProcess();
  Plan("");  // every database write fails
  JobId now = Enqueue({{"command", {"echo", "claimed"}}});
  JobId later = Enqueue({{"command", {"echo", "promoted"}}, {"delay_seconds", 0.5}});
  Ring();
  ASSERT_TRUE(StderrSays(*runner, "claiming a job failed", 10000)) << runner->Stderr();
  long cpu_before = CpuTicks(runner->pid());
  usleep(1500000);  // the delayed job is due meanwhile; its promotion fails too
  long cpu_used = CpuTicks(runner->pid()) - cpu_before;
  EXPECT_LT(cpu_used, sysconf(_SC_CLK_TCK) / 2) << "the runner spun while storage failed";
  EXPECT_NE(runner->Stderr().find("promoting due jobs failed"), std::string::npos)
      << runner->Stderr();
  EXPECT_EQ(State(now), JobState::kQueued);
  EXPECT_EQ(State(later), JobState::kPending);

  Heal();  // no ring: the runner's own retry must find both
  ASSERT_TRUE(WaitFor([&] { return Final(now) && Final(later); }, kSettleMs))
      << ToString(State(now)) << " / " << ToString(State(later)) << "\n" << runner->Stderr();
  ExpectSettled(now, JobState::kSucceeded);
  ExpectSettled(later, JobState::kSucceeded);
  EXPECT_EQ(store_->Get(now)->stdout_tail, "claimed\n");
  ExpectIdleExit(*runner);
}

// Start: the job is claimed (commit 1) but recording its process and output files (commit 2)
// fails: the job runs on, the record is written again, and its output is found afterwards.
TEST_F(RunnerFaultInjectionTest, StartRecordFailingOnceIsWrittenAgain) {
  auto runner = StartRunnerProcess();
  Plan("db.commit 2\n");
  JobId id = Enqueue({{"command", {"sh", "-c", "echo started-out"}}});
  JobId next =
      Enqueue({{"command", {"sh", "-c", "echo \"{{prev.stdout}}\""}}, {"depends_on", {id}}});
  Ring();
  ASSERT_TRUE(StderrSays(*runner, "recording started processes failed", 10000))
      << runner->Stderr();
  ASSERT_TRUE(WaitFor([&] { return Final(next); }, kSettleMs)) << runner->Stderr();
  Heal();
  ExpectSettled(id, JobState::kSucceeded);
  ExpectSettled(next, JobState::kSucceeded);
  auto attempts = store_->Attempts(id);
  ASSERT_EQ(attempts->size(), 1u);
  EXPECT_EQ(ReadFile((*attempts)[0].stdout_path), "started-out\n");
  EXPECT_EQ(store_->Get(next)->stdout_tail, "started-out\n") << "{{prev.stdout}} found the file";
  ExpectIdleExit(*runner);
}

// Start, persistently: from the start record on, every commit fails until healed; the record
// and the end are both written once storage works, in that order.
TEST_F(RunnerFaultInjectionTest, StartAndEndRecordsFailingAreWrittenOnceStorageWorks) {
  auto runner = StartRunnerProcess();
  Plan("db.commit 2+\n");
  JobId id = Enqueue({{"command", {"sh", "-c", "echo kept"}}});
  Ring();
  ASSERT_TRUE(StderrSays(*runner, "could not record its end", 10000)) << runner->Stderr();
  EXPECT_NE(runner->Stderr().find("recording started processes failed"), std::string::npos);
  EXPECT_EQ(State(id), JobState::kRunning);
  Heal();
  ASSERT_TRUE(WaitFor([&] { return Final(id); }, kSettleMs)) << runner->Stderr();
  ExpectSettled(id, JobState::kSucceeded);
  auto attempts = store_->Attempts(id);
  ASSERT_EQ(attempts->size(), 1u);
  EXPECT_EQ(ReadFile((*attempts)[0].stdout_path), "kept\n");
  ExpectIdleExit(*runner);
}

// Finish: the commit of the attempt's end fails once (the job itself arms the fault as it
// exits, after a pause that lets its start record go first); the end is recorded on the retry
// with the real outcome.
TEST_F(RunnerFaultInjectionTest, EndCommitFailingOnceIsRecordedOnRetry) {
  auto runner = StartRunnerProcess();
  JobId id = Enqueue(
      {{"command",
        {"sh", "-c",
         "sleep 0.3; printf 'db.commit 1\\n' > " + plan_file_ + "; echo done; exit 4"}}});
  Ring();
  ASSERT_TRUE(StderrSays(*runner, "could not record its end", 10000)) << runner->Stderr();
  ASSERT_TRUE(WaitFor([&] { return Final(id); }, kSettleMs)) << runner->Stderr();
  Heal();
  ExpectSettled(id, JobState::kFailed);
  Job job = *store_->Get(id);
  EXPECT_EQ(job.exit_code, 4);
  EXPECT_EQ(job.stdout_tail, "done\n");
  ExpectIdleExit(*runner);
}

// Finish and event, swept: the Nth commit of the runner fails, once or from then on until healed,
// for every commit a job's run makes (registering the runner, claim, start record, end with its
// events, retry). Whatever fails, each job ends `succeeded` with its events whole once the fault
// clears. A runner that cannot register exits; a new one is started, as a front-end would.
TEST_F(RunnerFaultInjectionTest, EveryRunnerCommitFailingLosesNoJob) {
  for (const char* suffix : {"", "+"}) {
    for (int n = 1; n <= 5; ++n) {
      std::string rule = "db.commit " + std::to_string(n) + suffix + "\n";
      SCOPED_TRACE(rule);
      Plan(rule);
      JobId id = Enqueue({{"command", {"sh", "-c", "echo run-$BATON_ATTEMPT"}},
                          {"retry", {{"max_attempts", 3}, {"initial_delay", 0}}}});
      auto runner = LaunchRunnerProcess();
      usleep(1000000);  // the fault has its effect
      Heal();
      if (runner->Wait(0).has_value()) {
        EXPECT_NE(runner->Stderr().find("exiting"), std::string::npos) << runner->Stderr();
        runner = StartRunnerProcess();
      }
      ASSERT_TRUE(WaitFor([&] { return Final(id); }, kSettleMs))
          << ToString(State(id)) << "\n" << runner->Stderr();
      ExpectSettled(id, JobState::kSucceeded);
      ExpectIdleExit(*runner);
    }
  }
}

// Log files: the job's log directory, an output file's open, or the copy of its output fails.
// The command is not started blind (mkdir, open) or its success is not claimed (write); the
// job ends with the reason as its error, and the runner goes on serving.
TEST_F(RunnerFaultInjectionTest, LogFileFaultsEndTheAttemptWithTheReason) {
  struct Case {
    const char* rule;
    AttemptOutcome outcome;
    bool ran;
  };
  const Case cases[] = {
      {"log.mkdir\n", AttemptOutcome::kOutputError, false},
      {"log.open 2\n", AttemptOutcome::kOutputError, false},  // its stderr file
      {"log.write\n", AttemptOutcome::kOutputError, true},
      {"stdin.write\n", AttemptOutcome::kSpawnError, false},
  };
  auto runner = StartRunnerProcess();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.rule);
    std::string ran = dir_.File(std::string("ran-") + std::to_string(&c - cases));
    Plan(c.rule);
    JobId id = Enqueue({{"command", {"sh", "-c", "touch " + ran + "; echo out"}}, {"stdin", "in"}});
    Ring();
    ASSERT_TRUE(WaitFor([&] { return Final(id); }, kSettleMs)) << runner->Stderr();
    Heal();
    ExpectSettled(id, JobState::kFailed);
    auto attempts = store_->Attempts(id);
    ASSERT_EQ(attempts->size(), 1u);
    EXPECT_EQ(ToString(*(*attempts)[0].outcome), ToString(c.outcome));
    EXPECT_NE((*attempts)[0].error.find(strerror(EIO)), std::string::npos) << (*attempts)[0].error;
    EXPECT_EQ(std::filesystem::exists(ran), c.ran);
  }
  // Healed: the same runner serves the next job normally.
  JobId ok = Enqueue({{"command", {"echo", "fine"}}});
  Ring();
  ASSERT_TRUE(WaitFor([&] { return Final(ok); }, kSettleMs)) << runner->Stderr();
  ExpectSettled(ok, JobState::kSucceeded);
  ExpectIdleExit(*runner);
}

}  // namespace
}  // namespace baton
