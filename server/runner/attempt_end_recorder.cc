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

RecordResult AttemptEndRecorder::Record(const AttemptEnd& end, int64_t ended_ms,
                                        int64_t now_mono, const SpawnRecord* unrecorded_spawn) {
  Held h;
  h.end = end;
  h.ended_ms = ended_ms;
  if (unrecorded_spawn) h.spawn = *unrecorded_spawn;
  Status s = Write(h);
  if (s.ok()) return RecordResult::kWritten;
  if (!IsStorageFailure(s)) {
    spdlog::error("job {} attempt {}: its end ({}) was not recorded: {}", end.job_id, end.attempt,
                  ToString(end.outcome), s.ToString());
    return RecordResult::kRefused;
  }
  return Hold(std::move(h), s, now_mono);
}

Status AttemptEndRecorder::Write(Held& h) {
  if (h.spawn) {
    BATON_RETURN_IF_ERROR(store_.RecordSpawn(h.end.job_id, h.end.attempt, h.spawn->pid,
                                             h.spawn->start_ticks, h.spawn->stdout_path,
                                             h.spawn->stderr_path));
    h.spawn.reset();
  }
  return store_.FinishAttempt(h.end, h.ended_ms);
}

bool AttemptEndRecorder::Holds(JobId job_id, int attempt) const {
  for (const Held& h : held_)
    if (h.end.job_id == job_id && h.end.attempt == attempt) return true;
  return false;
}

RecordResult AttemptEndRecorder::Hold(Held h, const Status& why, int64_t now_mono) {
  const AttemptEnd& end = h.end;
  if (held_.size() >= kMaxHeldAttemptEnds) {
    spdlog::error(
        "job {} attempt {}: its end ({}) could not be recorded ({}) and {} other ends wait "
        "already: not kept; the attempt stays open and is recorded lost once storage works",
        end.job_id, end.attempt, ToString(end.outcome), why.ToString(), held_.size());
    return RecordResult::kRefused;
  }
  spdlog::error("job {} attempt {}: could not record its end ({}): {}; kept, retrying until "
                "storage works again",
                end.job_id, end.attempt, ToString(end.outcome), why.ToString());
  h.tries = 1;
  h.held_since_mono = now_mono;
  h.next_try_mono = now_mono + h.delay_ms;
  h.last_error = why.ToString();
  held_.push_back(std::move(h));
  return RecordResult::kHeld;
}

int AttemptEndRecorder::RetryDue(int64_t now_mono) {
  int written = 0;
  for (auto it = held_.begin(); it != held_.end();) {
    Held& h = *it;
    if (h.next_try_mono > now_mono) {
      ++it;
      continue;
    }
    Status s = Write(h);
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
