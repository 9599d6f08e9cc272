// The chaos test: 1,000 short jobs (some succeed, some fail then succeed, some time out, some
// sleep) while the runner is SIGKILLed 20 times at random moments. Afterwards every job is in a
// terminal state consistent with its spec, none is lost, every attempt is closed, and no job ran
// twice at the same time: each job holds an exclusive flock on its own lock file while it runs
// (`flock -n`), so an overlapping second attempt would fail with exit code 99. Jobs also append
// their starts and ends to a shared log (O_APPEND).
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "base/clock.h"
#include "server/jobs/state_paths.h"
#include "storage/job_spec.h"
#include "storage/job_store.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace baton {
namespace {

using nlohmann::json;

constexpr int kJobs = 1000;
constexpr int kKills = 20;
enum Kind { kSucceed, kFailThenSucceed, kTimesOut, kSleeps };

// Reaps exited children other than the runner (the test is the subreaper of orphaned jobs).
void ReapOrphans() {
  while (true) {
    siginfo_t info{};
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) return;
    waitpid(info.si_pid, nullptr, 0);
  }
}

std::string Script(Kind kind, const std::string& log) {
  std::string work;
  switch (kind) {
    case kSucceed: work = ":"; break;
    case kFailThenSucceed: work = "[ \"$BATON_ATTEMPT\" -ge 2 ]"; break;
    case kTimesOut: work = "sleep 3"; break;
    case kSleeps: work = "sleep 0.3"; break;
  }
  return "echo \"S $BATON_JOB_ID $BATON_ATTEMPT\" >> " + log + "; " + work +
         "; rc=$?; echo \"E $BATON_JOB_ID $BATON_ATTEMPT $rc\" >> " + log + "; exit $rc";
}

TEST(ChaosTest, ThousandJobsSurviveTwentyRunnerKills) {
  testing::TempDir dir;
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  auto paths = ResolveStatePaths(dir.File("chaos.db"));
  ASSERT_TRUE(paths.ok());
  auto store = std::move(JobStore::Open(paths->db)).value();
  const std::string log = dir.File("runs.log");
  mkdir(dir.File("locks").c_str(), 0700);

  std::vector<EnqueueRequest> batch;
  for (int i = 0; i < kJobs; ++i) {
    Kind kind = static_cast<Kind>(i % 4);
    json spec = {{"command", {"flock", "-n", "-E", "99", dir.File("locks/" + std::to_string(i)),
                              "sh", "-c", Script(kind, log)}},
                 {"retry", {{"max_attempts", 10}, {"initial_delay", 0.05}, {"jitter", "none"}}},
                 {"labels", {{"kind", std::to_string(kind)}}}};
    if (kind == kTimesOut) {
      spec["timeout_seconds"] = 0.3;
      spec["retry"]["retry_on"] = {"lost"};  // a timeout is final; a lost attempt is retried
    }
    SpecContext ctx{dir.path(), SystemClock::Instance().NowMs()};
    auto parsed = ParseJobSpec(spec, ctx);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EnqueueRequest r;
    r.spec = std::move(parsed).value();
    batch.push_back(std::move(r));
  }
  auto ids = store->EnqueueBatch(batch, SystemClock::Instance().NowMs());
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();

  const std::vector<std::string> runner_argv = {testing::BatonBinary(), "runner", "--db",
                                                paths->db, "--concurrency", "16",
                                                "--lock-wait", "10", "--log-level", "warn"};
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> lifetime_ms(150, 900);
  const int64_t start = MonotonicMs();
  for (int k = 0; k < kKills; ++k) {
    testing::Subprocess runner(runner_argv);
    usleep(lifetime_ms(rng) * 1000);
    runner.Kill(SIGKILL);
    ASSERT_TRUE(runner.Wait(10000).has_value());
    ReapOrphans();
  }
  int64_t unfinished = -1;
  {
    testing::Subprocess runner(runner_argv);
    int64_t deadline = MonotonicMs() + 240000;
    while (MonotonicMs() < deadline) {
      JobFilter f;
      f.states = {JobState::kPending, JobState::kQueued, JobState::kRunning};
      f.limit = kJobs;
      unfinished = static_cast<int64_t>(store->List(f)->size());
      if (unfinished == 0) break;
      ReapOrphans();
      usleep(200000);
    }
    runner.Kill(SIGTERM);
    ASSERT_TRUE(runner.Wait(20000).has_value());
    ReapOrphans();
  }
  const int64_t took_ms = MonotonicMs() - start;
  ASSERT_EQ(unfinished, 0) << "jobs still unfinished after the chaos";

  // Which (job, attempt) pairs reached their end, as the jobs themselves recorded it.
  std::set<std::pair<JobId, int>> ended_ok;
  std::istringstream lines(testing::ReadFile(log));
  std::string tag;
  int64_t starts = 0;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream in(line);
    JobId id = 0;
    int attempt = 0, rc = -1;
    in >> tag >> id >> attempt;
    if (tag == "S") ++starts;
    if (tag == "E" && (in >> rc) && rc == 0) ended_ok.insert({id, attempt});
  }

  int64_t attempts_total = 0, lost = 0;
  std::map<std::string, int64_t> final_states;
  for (int i = 0; i < kJobs; ++i) {
    JobId id = (*ids)[i].id;
    auto job = store->Get(id);
    ASSERT_TRUE(job.ok()) << "job " << id << " is lost";
    Kind kind = static_cast<Kind>(i % 4);
    auto attempts = store->Attempts(id);
    ASSERT_TRUE(attempts.ok());
    ASSERT_FALSE(attempts->empty()) << "job " << id << " never ran";
    attempts_total += static_cast<int64_t>(attempts->size());
    for (const Attempt& a : *attempts) {
      EXPECT_TRUE(a.ended_ms.has_value()) << "job " << id << " attempt " << a.number << " open";
      EXPECT_NE(a.exit_code, 99) << "job " << id << " attempt " << a.number
                                 << " ran while another attempt of it still ran";
      lost += a.outcome == AttemptOutcome::kLost;
    }
    const Attempt& last = attempts->back();
    final_states[ToString(job->state)]++;
    if (kind == kTimesOut) {
      EXPECT_EQ(job->state, JobState::kFailed) << "job " << id;
      EXPECT_EQ(last.outcome, AttemptOutcome::kTimeout) << "job " << id;
    } else {
      EXPECT_EQ(job->state, JobState::kSucceeded) << "job " << id << ": " << job->error;
      EXPECT_EQ(last.outcome, AttemptOutcome::kSucceeded);
      EXPECT_TRUE(ended_ok.count({id, last.number})) << "job " << id << " has no recorded end";
    }
    if (kind == kFailThenSucceed) {
      EXPECT_EQ(attempts->front().outcome == AttemptOutcome::kFailed ||
                    attempts->front().outcome == AttemptOutcome::kLost,
                true);
    }
  }
  EXPECT_GT(lost, 0) << "the kills hit no running job: the test proves nothing";
  std::string states;
  for (const auto& [s, n] : final_states) states += " " + s + "=" + std::to_string(n);
  std::printf("chaos: %d jobs, %d runner kills, %lld attempts (%lld lost), %lld starts logged, "
              "%lld ms;%s\n",
              kJobs, kKills, static_cast<long long>(attempts_total), static_cast<long long>(lost),
              static_cast<long long>(starts), static_cast<long long>(took_ms), states.c_str());
}

}  // namespace
}  // namespace baton
