#include "server/runner/runner_recovery.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>

#include <spdlog/spdlog.h>

#include "base/parse_number.h"
#include "base/child_process.h"
#include "server/runner/job_output.h"
#include "server/runner/runner.h"

namespace baton {

namespace {

struct JobEnv {
  std::string db, runner, job;
};

// BATON_DB, BATON_RUNNER and BATON_JOB_ID of a process; false when it has no BATON_DB and
// BATON_RUNNER (not a job's process) or is gone (a zombie's environment is empty).
bool ReadJobEnv(pid_t pid, JobEnv* out) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  if (!in) return false;
  std::string env((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bool found_db = false, found_runner = false;
  size_t pos = 0;
  while (pos < env.size()) {
    size_t end = env.find('\0', pos);
    if (end == std::string::npos) end = env.size();
    std::string_view kv(env.data() + pos, end - pos);
    if (kv.substr(0, 9) == "BATON_DB=") {
      out->db = std::string(kv.substr(9));
      found_db = true;
    } else if (kv.substr(0, 13) == "BATON_RUNNER=") {
      out->runner = std::string(kv.substr(13));
      found_runner = true;
    } else if (kv.substr(0, 13) == "BATON_JOB_ID=") {
      out->job = std::string(kv.substr(13));
    }
    pos = end + 1;
  }
  return found_db && found_runner && !out->runner.empty();
}

// SIGKILLs every job process for which `match` is true (and the group it leads); returns how many.
int ScanOnce(const std::function<bool(const JobEnv&)>& match) {
  DIR* dir = opendir("/proc");
  if (!dir) return 0;
  int killed = 0;
  const pid_t self = getpid();
  while (dirent* e = readdir(dir)) {
    auto number = ParseInt64(e->d_name, "pid", 2, std::numeric_limits<pid_t>::max());
    if (!number.ok()) continue;  // not a process directory
    pid_t pid = static_cast<pid_t>(*number);
    if (pid <= 1 || pid == self) continue;
    JobEnv env;
    if (!ReadJobEnv(pid, &env) || !match(env)) continue;
    pid_t pgid = getpgid(pid);
    if (pgid == pid) kill(-pgid, SIGKILL);  // a job's group leader: the whole group
    kill(pid, SIGKILL);
    ++killed;
  }
  closedir(dir);
  return killed;
}

// Kills until a scan finds nobody: a killed process stops matching only once it has exited (its
// environment is gone), so on return none of them still holds a file, a lock or a port that the
// job's next attempt may need. Returns how many the first scan found.
int KillUntilGone(const std::function<bool(const JobEnv&)>& match) {
  int total = 0;
  for (int pass = 0; pass < 500; ++pass) {
    int n = ScanOnce(match);
    if (pass == 0) total = n;
    if (n == 0) break;
    usleep(2000);
  }
  return total;
}

}  // namespace

int KillStrayJobProcesses(const std::string& db, const std::string& live_runner_id) {
  return KillUntilGone(
      [&](const JobEnv& e) { return e.db == db && e.runner != live_runner_id; });
}

int KillJobProcesses(const std::string& db, const std::string& runner_id, int64_t job_id) {
  const std::string job = std::to_string(job_id);
  return KillUntilGone(
      [&](const JobEnv& e) { return e.db == db && e.runner == runner_id && e.job == job; });
}

// Runner::RecoverOpenAttempts lives here, with the rest of crash recovery.
void Runner::RecoverOpenAttempts(bool kill_strays) {
  // First stop every process a dead runner left behind, recorded or not (it may have died
  // between starting a process and recording its pid).
  if (kill_strays)
    if (int n = KillStrayJobProcesses(paths_.db, id_); n > 0)
      spdlog::warn("recovery: killed {} process(es) of jobs whose runner died", n);
  auto open = store_.OrphanedAttempts("");  // every open attempt, ours included
  if (!reconcile_failures_.Report(open.status())) return;  // tried again at the next heartbeat
  bool all_recovered = true;
  for (const Attempt& a : *open) {
    const bool ours = a.runner_id == id_;
    // Its end is held (written again soon), or the store refused it for good (said already).
    if (recorder_.Holds(a.job_id, a.number) || refused_ends_.count({a.job_id, a.number})) continue;
    if (ours) {
      auto it = active_.find(a.job_id);
      if (it != active_.end() && it->second.attempt == a.number) continue;  // running
    } else if (!kill_strays) {
      // A dead runner's attempt that appeared after our recovery: its processes go first.
      return RecoverOpenAttempts(/*kill_strays=*/true);
    } else if (a.pid && a.pid_start_ticks && ProcessStartTicks(*a.pid) == *a.pid_start_ticks) {
      // Its process group may have outlived the dead runner: stop it so the job never runs twice
      // at once. The start time guards against a recycled pid.
      SignalGroup(*a.pid, SIGKILL);
    }
    auto job = store_.Get(a.job_id);
    if (!job.ok()) {  // left open: tried again at the next heartbeat
      spdlog::error("recovery: job {} attempt {}: {}", a.job_id, a.number, job.status().ToString());
      all_recovered = all_recovered && ours;
      continue;
    }
    std::string why = ours ? "the runner could not record how it ended and lost track of it"
                           : "its runner (" + a.runner_id + ") died while it ran";
    spdlog::warn("job {} attempt {} was running under {} runner {}: lost", a.job_id, a.number,
                 ours ? "this" : "dead", a.runner_id);
    RecordResult r = Record(*job, a.number, AttemptOutcome::kLost, std::nullopt, std::nullopt, why,
                            ReadFileTail(a.stdout_path), ReadFileTail(a.stderr_path));
    if (r == RecordResult::kRefused) {
      if (recorder_.held() < kMaxHeldAttemptEnds) refused_ends_.insert({a.job_id, a.number});
      else all_recovered = all_recovered && ours;  // storage fails: tried again
    }
  }
  if (kill_strays) orphans_recovered_ = all_recovered;
}

}  // namespace baton
