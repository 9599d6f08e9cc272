// base/clock.h
//
// Clock is the one source of wall-clock and monotonic time, injected so that tests control it
// (backoff arithmetic, schedules, retention). SystemClock is the real one; ManualClock is a test
// clock that only moves when told. Both are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

namespace baton {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (wall clock; what is stored in the database).
  virtual int64_t NowMs() const = 0;
  // Nanoseconds since the Unix epoch (policy input `now_ns`).
  virtual int64_t NowNs() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override;
  int64_t NowNs() const override;
  // The process-wide real clock.
  static SystemClock& Instance();
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms) : now_ns_(start_ms * 1000000) {}
  int64_t NowMs() const override { return now_ns_.load() / 1000000; }
  int64_t NowNs() const override { return now_ns_.load(); }
  void AdvanceMs(int64_t ms) { now_ns_ += ms * 1000000; }
  void SetMs(int64_t ms) { now_ns_ = ms * 1000000; }

 private:
  std::atomic<int64_t> now_ns_;
};

// Monotonic milliseconds, for measuring intervals and deadlines inside one process.
int64_t MonotonicMs();

}  // namespace baton
