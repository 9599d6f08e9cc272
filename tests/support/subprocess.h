// tests/support/subprocess.h
//
// A real child process for end-to-end tests: argv is exec'd with pipes on stdin, stdout and
// stderr (stderr is collected in the background). Lines are read from stdout with a deadline.
// The child is put in its own process group so tests can kill the group as an MCP client might.
// Not thread-safe; one test thread drives it.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <atomic>
#include <thread>
#include <vector>

namespace baton::testing {

class Subprocess {
 public:
  // Starts argv[0] (looked up in PATH) with the current environment plus `env`.
  Subprocess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});
  ~Subprocess();  // SIGKILLs the child if still running and reaps it

  pid_t pid() const { return pid_; }
  bool WriteLine(const std::string& line);  // appends '\n'
  bool Write(const std::string& bytes);
  void CloseStdin();
  // The next line of stdout without its '\n', or nullopt on EOF or timeout.
  std::optional<std::string> ReadLine(int timeout_ms);
  // Sends `sig` to the child (or its whole process group).
  void Kill(int sig, bool group = false);
  // Waits for exit; returns the wait status, or nullopt on timeout. After an exit, Stderr()
  // holds everything the child wrote (unless a grandchild keeps the pipe open past 1 s).
  std::optional<int> Wait(int timeout_ms);
  std::string Stderr();

 private:
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1;
  std::string out_buf_;
  std::string err_buf_;
  std::thread err_thread_;
  std::atomic<bool> err_eof_{false};  // the stderr reader saw end of file
  bool reaped_ = false;
  int status_ = 0;
};

// Runs a command to completion and returns {exit status, stdout}.
std::pair<int, std::string> RunCommand(const std::vector<std::string>& argv,
                                       const std::map<std::string, std::string>& env = {},
                                       int timeout_ms = 60000);

// True when `pid` names a live (not zombie) process.
bool ProcessAlive(pid_t pid);

}  // namespace baton::testing
