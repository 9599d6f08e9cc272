// `baton status --wait` and `baton logs -f` on a terminal: the real binary on a pseudo-terminal
// (forkpty) draws its progress line; with its output piped it writes exactly what it did before.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "base/clock.h"
#include "server/cli/terminal_progress.h"
#include "tests/support/cli_fixture.h"
#include "tests/support/subprocess.h"

namespace baton {
namespace {

struct PtyRun {
  int status = -1;
  std::string terminal;  // every byte the terminal received (stderr, and stdout unless piped)
  std::string piped;     // stdout, when it was a pipe
};

// Runs argv with stderr (and stdout, unless `pipe_stdout`) on a new pseudo-terminal 100 columns
// wide, until it exits or `timeout_ms` passes (then it is killed).
PtyRun RunOnTerminal(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                     bool pipe_stdout, int timeout_ms) {
  PtyRun run;
  int out_pipe[2] = {-1, -1};
  if (pipe_stdout && pipe(out_pipe) != 0) return run;
  struct winsize ws {};
  ws.ws_col = 100;
  ws.ws_row = 30;
  int master = -1;
  pid_t pid = forkpty(&master, nullptr, nullptr, &ws);
  if (pid < 0) return run;
  if (pid == 0) {
    if (pipe_stdout) {
      dup2(out_pipe[1], STDOUT_FILENO);
      close(out_pipe[0]);
      close(out_pipe[1]);
    }
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  if (pipe_stdout) close(out_pipe[1]);
  const int64_t deadline = MonotonicMs() + timeout_ms;
  bool master_open = true, pipe_open = pipe_stdout;
  while ((master_open || pipe_open) && MonotonicMs() < deadline) {
    pollfd fds[2] = {{master_open ? master : -1, POLLIN, 0}, {pipe_open ? out_pipe[0] : -1, POLLIN, 0}};
    if (poll(fds, 2, 100) < 0) break;
    char buf[4096];
    if (fds[0].revents) {
      ssize_t n = read(master, buf, sizeof buf);
      if (n > 0) run.terminal.append(buf, static_cast<size_t>(n));
      else master_open = false;  // EIO: the child and its descendants closed the terminal
    }
    if (fds[1].revents) {
      ssize_t n = read(out_pipe[0], buf, sizeof buf);
      if (n > 0) run.piped.append(buf, static_cast<size_t>(n));
      else pipe_open = false;
    }
    int st = 0;
    if (!master_open || !pipe_open) {
      if (waitpid(pid, &st, WNOHANG) == pid) {
        run.status = st;
        pid = -1;
        // Whatever is left in the terminal's buffer is read once more.
        while (master_open) {
          pollfd f{master, POLLIN, 0};
          if (poll(&f, 1, 50) <= 0) break;
          ssize_t n = read(master, buf, sizeof buf);
          if (n <= 0) break;
          run.terminal.append(buf, static_cast<size_t>(n));
        }
        break;
      }
    }
  }
  // The terminal can close (EIO) a moment before the child is reapable: wait for it until the
  // deadline, and kill it only then.
  while (pid > 0 && MonotonicMs() < deadline) {
    int st = 0;
    if (waitpid(pid, &st, WNOHANG) == pid) {
      run.status = st;
      pid = -1;
    } else {
      usleep(10000);
    }
  }
  if (pid > 0) {
    kill(pid, SIGKILL);
    int st = 0;
    waitpid(pid, &st, 0);
  }
  close(master);
  if (pipe_stdout) close(out_pipe[0]);
  return run;
}

class CliProgressTest : public testing::CliFixture {
 protected:
  PtyRun BatonOnTerminal(std::vector<std::string> args, bool pipe_stdout) {
    args.insert(args.begin(), testing::BatonBinary());
    return RunOnTerminal(args, {{"BATON_DB", db_}, {"TERM", "xterm"}}, pipe_stdout, 30000);
  }
  std::string Enqueue(const std::string& script) {
    auto [rc, out] = Baton({"enqueue", "--", "sh", "-c", script});
    EXPECT_EQ(rc, 0) << out;
    return out.substr(0, out.find('\n'));
  }
  // Waits until the job has an attempt (logs needs one).
  void WaitStarted(const std::string& id) {
    int64_t deadline = MonotonicMs() + 15000;
    while (MonotonicMs() < deadline && Baton({"logs", id}).first != 0) usleep(50000);
  }
};

TEST_F(CliProgressTest, StatusWaitDrawsStateAndElapsedOnATerminal) {
  std::string id = Enqueue("sleep 2");
  PtyRun run = BatonOnTerminal({"status", id, "--wait", "30"}, false);
  ASSERT_TRUE(WIFEXITED(run.status)) << run.terminal;
  EXPECT_EQ(WEXITSTATUS(run.status), 0) << run.terminal;
  // Redrawn in place while it runs, then erased before the job's view.
  EXPECT_NE(run.terminal.find("\r\033[Kjob " + id + " running "), std::string::npos) << run.terminal;
  size_t erased = run.terminal.rfind("\r\033[K");
  size_t view = run.terminal.find("{");
  ASSERT_NE(view, std::string::npos) << run.terminal;
  EXPECT_LT(erased, view) << run.terminal;
  EXPECT_NE(run.terminal.find("\"succeeded\"", view), std::string::npos) << run.terminal;
}

TEST_F(CliProgressTest, StatusWaitIsQuietWhenItsOutputIsPiped) {
  std::string id = Enqueue("sleep 1");
  PtyRun run = BatonOnTerminal({"status", id, "--wait", "30", "--json"}, true);
  ASSERT_TRUE(WIFEXITED(run.status)) << run.terminal;
  EXPECT_EQ(run.terminal, "");  // stderr is a terminal, but stdout is not: no progress line
  EXPECT_EQ(run.piped.front(), '{') << run.piped;
  EXPECT_NE(run.piped.find("\"state\":\"succeeded\""), std::string::npos) << run.piped;
  EXPECT_EQ(run.piped.find('\033'), std::string::npos) << run.piped;
}

TEST_F(CliProgressTest, LogsFollowShowsStateBetweenLinesAndEndsWithTheOutcome) {
  std::string id = Enqueue("echo one; sleep 3; echo two; sleep 1; echo three");
  WaitStarted(id);
  PtyRun run = BatonOnTerminal({"logs", id, "-f"}, false);
  ASSERT_TRUE(WIFEXITED(run.status)) << run.terminal;
  EXPECT_EQ(WEXITSTATUS(run.status), 0) << run.terminal;
  const std::string& t = run.terminal;  // the terminal turns "\n" into "\r\n"
  size_t one = t.find("one\r\n"), two = t.find("two\r\n");
  ASSERT_NE(one, std::string::npos) << t;
  ASSERT_NE(two, std::string::npos) << t;
  // While the job is silent, its state is shown and erased before "two".
  size_t shown = t.find("\r\033[Kjob " + id + " running ", one);
  EXPECT_LT(shown, two) << t;
  EXPECT_NE(t.find("\r\033[Ktwo\r\n"), std::string::npos) << t;
  // The outcome is left on the last line.
  EXPECT_NE(t.find("three\r\n\r\033[Kjob " + id + " succeeded (exit 0) after "), std::string::npos) << t;
  EXPECT_EQ(t.substr(t.size() - 2), "\r\n") << t;
}

TEST_F(CliProgressTest, LogsFollowPipedPrintsExactlyTheOutput) {
  std::string id = Enqueue("echo one; sleep 1; printf 'two\\nthree'");
  WaitStarted(id);
  PtyRun run = BatonOnTerminal({"logs", id, "--follow"}, true);
  ASSERT_TRUE(WIFEXITED(run.status)) << run.terminal;
  EXPECT_EQ(WEXITSTATUS(run.status), 0);
  EXPECT_EQ(run.piped, "one\ntwo\nthree");
  EXPECT_EQ(run.terminal, "");
}

TEST(JobProgressTextTest, SaysStateElapsedAttemptAndOutcome) {
  Job j;
  j.id = 7;
  j.state = JobState::kRunning;
  j.attempt = 2;
  j.spec.retry.max_attempts = 3;
  j.started_ms = 1000;
  EXPECT_EQ(JobProgressText(j, 1000 + 185000), "job 7 running 3m05s (attempt 2 of 3)");
  j.state = JobState::kPending;
  j.run_at_ms = 10000;
  EXPECT_EQ(JobProgressText(j, 6000), "job 7 pending, runs in 4.0s (attempt 3 of 3 next)");
  j.state = JobState::kFailed;
  j.exit_code = 4;
  j.finished_ms = 2200;
  j.error = "exit code 4\nmore";
  EXPECT_EQ(JobProgressText(j, 9999), "job 7 failed (exit 4) after 1.2s: exit code 4");
  EXPECT_EQ(ElapsedText(400), "0.4s");
  EXPECT_EQ(ElapsedText(7800000), "2h10m");
}

}  // namespace
}  // namespace baton
