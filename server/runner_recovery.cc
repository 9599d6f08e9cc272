#include "server/runner_recovery.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <iterator>

namespace baton {

namespace {

// The value of `name` in /proc/<pid>/environ, or nullopt.
bool ReadJobEnv(pid_t pid, std::string* db, std::string* runner) {
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
      *db = std::string(kv.substr(9));
      found_db = true;
    } else if (kv.substr(0, 13) == "BATON_RUNNER=") {
      *runner = std::string(kv.substr(13));
      found_runner = true;
    }
    pos = end + 1;
  }
  return found_db && found_runner;
}

int ScanOnce(const std::string& db, const std::string& live_runner_id) {
  DIR* dir = opendir("/proc");
  if (!dir) return 0;
  int killed = 0;
  const pid_t self = getpid();
  while (dirent* e = readdir(dir)) {
    if (!std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
    pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 1 || pid == self) continue;
    std::string job_db, runner;
    if (!ReadJobEnv(pid, &job_db, &runner)) continue;
    if (job_db != db || runner.empty() || runner == live_runner_id) continue;
    pid_t pgid = getpgid(pid);
    if (pgid == pid) kill(-pgid, SIGKILL);  // a job's group leader: the whole group
    kill(pid, SIGKILL);
    ++killed;
  }
  closedir(dir);
  return killed;
}

}  // namespace

int KillStrayJobProcesses(const std::string& db, const std::string& live_runner_id) {
  int total = 0;
  // Until a scan finds nobody: a killed process stops matching only once it has exited (its
  // environment is gone), so on return none of them still holds a file, a lock or a port that
  // the job's next attempt may need.
  for (int pass = 0; pass < 500; ++pass) {
    int n = ScanOnce(db, live_runner_id);
    if (pass == 0) total = n;
    if (n == 0) break;
    usleep(2000);
  }
  return total;
}

}  // namespace baton
