#include "server/runner/attempt_end_recorder.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace baton {

namespace {

bool IsPowerOfTwo(int n) { return n > 0 && (n & (n - 1)) == 0; }

}  // namespace

bool IsStorageFailure(const Status& s) {
  return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kInternal;
}

bool AttemptEndRecorder::Record(const AttemptEnd& end, int64_t ended_ms, int64_t now_mono) {
  Status s = store_.FinishAttempt(end, ended_ms);
  if (s.ok()) return true;
  if (!IsStorageFailure(s)) {
    spdlog::error("job {} attempt {}: its end ({}) was not recorded: {}", end.job_id, end.attempt,
                  ToString(end.outcome), s.ToString());
    return false;
  }
  Hold(end, ended_ms, s, now_mono);
  return false;
}

void AttemptEndRecorder::Hold(const AttemptEnd& end, int64_t ended_ms, const Status& why,
                              int64_t now_mono) {
  if (held_.size() >= kMaxHeldAttemptEnds) {
    spdlog::error(
        "job {} attempt {}: its end ({}) could not be recorded ({}) and {} other ends wait "
        "already: not kept; the attempt stays open until the next runner recovers it as lost",
        end.job_id, end.attempt, ToString(end.outcome), why.ToString(), held_.size());
    return;
  }
  spdlog::error("job {} attempt {}: could not record its end ({}): {}; kept, retrying until "
                "storage works again",
                end.job_id, end.attempt, ToString(end.outcome), why.ToString());
  Held h;
  h.end = end;
  h.ended_ms = ended_ms;
  h.tries = 1;
  h.held_since_mono = now_mono;
  h.next_try_mono = now_mono + h.delay_ms;
  h.last_error = why.ToString();
  held_.push_back(std::move(h));
}

int AttemptEndRecorder::RetryDue(int64_t now_mono) {
  int written = 0;
  for (auto it = held_.begin(); it != held_.end();) {
    Held& h = *it;
    if (h.next_try_mono > now_mono) {
      ++it;
      continue;
    }
    Status s = store_.FinishAttempt(h.end, h.ended_ms);
    ++h.tries;
    if (s.ok()) {
      spdlog::info("job {} attempt {}: end ({}) recorded after {} tries, {} ms late", h.end.job_id,
                   h.end.attempt, ToString(h.end.outcome), h.tries, now_mono - h.held_since_mono);
      ++written;
      it = held_.erase(it);
      continue;
    }
    if (!IsStorageFailure(s)) {
      spdlog::error("job {} attempt {}: its end ({}) was not recorded: {}", h.end.job_id,
                    h.end.attempt, ToString(h.end.outcome), s.ToString());
      it = held_.erase(it);
      continue;
    }
    // Still failing: said again when the error changes and at doubling intervals, not each try.
    std::string error = s.ToString();
    if (error != h.last_error || IsPowerOfTwo(h.tries))
      spdlog::warn("job {} attempt {}: end ({}) still not recorded after {} tries: {}",
                   h.end.job_id, h.end.attempt, ToString(h.end.outcome), h.tries, error);
    h.last_error = std::move(error);
    h.delay_ms = std::min(kMaxRecordRetryMs, h.delay_ms * 2);
    h.next_try_mono = now_mono + h.delay_ms;
    ++it;
  }
  return written;
}

std::optional<int64_t> AttemptEndRecorder::NextRetryMono() const {
  std::optional<int64_t> next;
  for (const Held& h : held_) next = next ? std::min(*next, h.next_try_mono) : h.next_try_mono;
  return next;
}

void AttemptEndRecorder::FlushOnShutdown(int64_t now_mono) {
  for (Held& h : held_) h.next_try_mono = now_mono;
  RetryDue(now_mono);
  for (const Held& h : held_)
    spdlog::error("job {} attempt {}: its end ({}) could not be recorded before shutdown ({}); "
                  "the attempt stays open and the next runner recovers it as lost",
                  h.end.job_id, h.end.attempt, ToString(h.end.outcome), h.last_error);
}

}  // namespace baton
