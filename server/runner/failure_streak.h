// server/runner/failure_streak.h
//
// FailureStreak reports a repeating operation's failures (a runner pass that reads cancellation
// requests every second, a heartbeat every few seconds) without flooding the log: an error when
// a streak of failures begins or its message changes, and a note when the operation works again.
// Nothing is ignored, nothing is said a thousand times. Not thread-safe; one owner thread.
#pragma once

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

#include "base/status.h"

namespace baton {

class FailureStreak {
 public:
  explicit FailureStreak(std::string what) : what_(std::move(what)) {}

  // Call after each run of the operation with its result. Returns s.ok().
  bool Report(const Status& s) {
    if (s.ok()) {
      if (failures_ > 0)
        spdlog::info("{} works again after {} failure(s)", what_, failures_);
      failures_ = 0;
      last_.clear();
      return true;
    }
    ++failures_;
    std::string message = s.ToString();
    if (message != last_) spdlog::error("{} failed: {}", what_, message);
    last_ = std::move(message);
    return false;
  }
  bool failing() const { return failures_ > 0; }

 private:
  std::string what_;
  std::string last_;
  long failures_ = 0;
};

}  // namespace baton
