// server/cli/terminal_progress.h
//
// One line of progress for a person at a terminal: `baton status --wait` and `baton logs -f`
// redraw "job 7 running 3m05s (attempt 2 of 3)" in place while they wait. The line appears only
// when both stdout and stderr are terminals (and TERM is not "dumb"): piped output stays exactly
// what it was, so scripts see no escape codes. Drawn on stderr.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "storage/job.h"

namespace baton {

// A run time as people read it: 0.4s, 3m05s, 2h10m.
std::string ElapsedText(int64_t ms);

// The state of a job at `now_ms`, in words: "job 7 pending, runs in 4.0s",
// "job 7 running 3m05s (attempt 2 of 3)", "job 7 failed (exit 4) after 1.2s".
std::string JobProgressText(const Job& job, int64_t now_ms);

class ProgressLine {
 public:
  // Draws on `out` (a terminal); `enabled` false makes every call a no-op.
  ProgressLine(std::FILE* out, bool enabled) : out_(out), enabled_(enabled) {}
  // Whether this process talks to a person: stdout and stderr are terminals, TERM is not dumb.
  static bool WantedHere();

  bool enabled() const { return enabled_; }
  // Replaces the line with `text`, cut to the terminal's width so that it never wraps.
  void Show(const std::string& text);
  // Erases the line (before other output is written to the terminal).
  void Clear();
  // Leaves `text` on its own line, ending it: the last word of a wait.
  void Finish(const std::string& text);

 private:
  std::FILE* out_;
  bool enabled_;
  bool shown_ = false;
};

}  // namespace baton
