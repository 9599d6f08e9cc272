// server/runner/failure_streak.h
//
// FailureStreak reports a repeating operation's failures (a runner pass that reads cancellation
// requests every second, a heartbeat every few seconds, a claim) without flooding the log: an
// error when a streak of failures begins or its message changes, and a note when the operation
// works again. Nothing is ignored, nothing is said a thousand times. It also paces retries: while
// failing, RetryDue() says when to try again, after a delay that doubles from kFirstRetryMs to
// kMaxRetryMs, so that a failing disk is neither hammered nor forgotten. Not thread-safe; one
// owner thread.
#pragma once

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace baton {

class FailureStreak {
 public:
  static constexpr int64_t kFirstRetryMs = 100;
  static constexpr int64_t kMaxRetryMs = 2000;

  explicit FailureStreak(std::string what) : what_(std::move(what)) {}

  // Call after each run of the operation with its result (at monotonic `now_mono`, for the
  // retry pacing). Returns s.ok().
  bool Report(const Status& s, int64_t now_mono = 0) {
    if (s.ok()) {
      if (failures_ > 0)
        spdlog::info("{} works again after {} failure(s)", what_, failures_);
      failures_ = 0;
      last_.clear();
      return true;
    }
    ++failures_;
    std::string message = s.ToString();
    if (message != last_) spdlog::error("{} failed: {}; retrying", what_, message);
    last_ = std::move(message);
    retry_at_mono_ = now_mono + Delay();
    return false;
  }
  bool failing() const { return failures_ > 0; }
  // While failing: when the next try is due (monotonic ms).
  int64_t retry_at_mono() const { return retry_at_mono_; }
  // True once when a failing operation's retry is due; the next one is then paced as if this try
  // failed too, so a caller that does not get to try does not spin.
  bool RetryDue(int64_t now_mono) {
    if (failures_ == 0 || now_mono < retry_at_mono_) return false;
    retry_at_mono_ = now_mono + Delay();
    return true;
  }

 private:
  int64_t Delay() const {
    int shift = static_cast<int>(std::min<long>(failures_ - 1, 10));
    return std::min(kMaxRetryMs, kFirstRetryMs << shift);
  }

  std::string what_;
  std::string last_;
  long failures_ = 0;
  int64_t retry_at_mono_ = 0;
};

}  // namespace baton
