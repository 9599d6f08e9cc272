// server/events/event_drainer.h
//
// EventDrainer moves the events outbox (the `events` table of JobStore) to an event broker
// through transport::EventPublisher: it reads unpublished events in id order, turns each into a
// subject and a JSON payload (docs/events.md), publishes them, and marks rows published only
// after the broker acknowledged them. While the broker is unreachable it retries with capped
// exponential backoff; nothing is lost (rows stay unpublished) and nothing is duplicated at a
// subscriber (a republished event carries the same msg id, which JetStream drops inside its
// duplicate window).
//
// Order: events of one job are published in id order. A batch holds at most one event per job,
// and a job's next event is only sent once the previous one is acknowledged, so a retry after a
// partial failure can never put a later event of a job in the stream before an earlier one.
// Events of different jobs may be reordered relative to each other.
//
// It runs on its own thread (Start/Shutdown); job execution never waits for it. The runner may
// call Wake() after writing events to cut latency below the poll interval.
//
// Ownership: the drainer borrows the JobStore (which must outlive it) and owns its publisher.
// Thread-safety: Start, Shutdown, Wake and stats are thread-safe; RunOnce must not be called
// while the loop runs (it is for tests and tools).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "base/result.h"
#include "storage/job.h"
#include "storage/job_store.h"
#include "transport/event_publisher.h"
#include "transport/nats_options.h"

namespace baton {

// Version of the payload schema ("schema" field); bumped on incompatible changes.
inline constexpr int kEventSchemaVersion = 1;

// The options of event publishing: one type for the drainer, its publisher and `baton notify`.
using transport::NatsOptions;

// "baton.<instance>.job.<queue>.<type>.<job_id>".
std::string EventSubject(std::string_view instance, const Event& event);
// The JetStream Nats-Msg-Id: "<instance>:<event id>:<event ts_ms>" (the timestamp keeps a
// recreated database, whose ids start again at 1, from being taken for duplicates).
std::string EventMsgId(std::string_view instance, const Event& event);
// The JSON payload (docs/events.md). `job` is the job's current row, if it still exists.
std::string EventPayload(std::string_view instance, const Event& event, const Job* job);
// The same from the job's summary (what the drainer reads with the event); null = no job.
std::string SummaryEventPayload(std::string_view instance, const Event& event,
                                const EventJobSummary* job);
// The summary of `job` that a payload carries.
EventJobSummary SummaryOf(const Job& job);

struct DrainerStats {
  int64_t published = 0;       // events acknowledged and marked
  int64_t duplicates = 0;      // of which the broker already had
  int64_t failed_passes = 0;   // RunOnce calls that ended in an error
  int64_t last_published_id = 0;
  std::string last_error;      // empty after a successful pass
};

// How long a runner about to exit waits for the outbox to drain (EventDrainer::Flush).
inline constexpr int64_t kDrainBeforeExitMs = 3000;  // below a new runner's --lock-wait 5

class EventDrainer {
 public:
  EventDrainer(JobStore& store, std::unique_ptr<transport::EventPublisher> publisher,
               NatsOptions options);
  ~EventDrainer();  // Shutdown()
  EventDrainer(const EventDrainer&) = delete;
  EventDrainer& operator=(const EventDrainer&) = delete;

  // Spawns the loop thread. Calling it twice is a no-op.
  void Start();
  // Stops the loop and waits for it (at most about one ack timeout); idempotent. Events not
  // yet acknowledged stay unpublished and are sent by the next drainer.
  void Shutdown();
  // Asks the loop to look at the outbox now.
  void Wake();
  // Waits, at most `timeout_ms`, until the outbox is empty (every event acknowledged and marked
  // published), waking the loop first. True when it is. For a runner about to exit (an idle
  // exit must not leave events behind that no drainer sends until the next runner starts).
  bool Flush(int64_t timeout_ms);

  // One pass on the calling thread: publishes one batch and marks what was acknowledged.
  // Returns how many events were marked published (0: the outbox was empty). A non-OK Result
  // (Unavailable while the broker is unreachable) still marks whatever was acknowledged first.
  Result<int> RunOnce();

  DrainerStats stats() const;

 private:
  void Loop();

  JobStore& store_;
  std::unique_ptr<transport::EventPublisher> publisher_;
  const NatsOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false;
  bool stopping_ = false;
  bool wake_ = false;
  DrainerStats stats_;
  std::thread thread_;
};

// Creates the JetStream publisher for `options` (named "baton-<instance>" to the server; it
// connects in the background: a server that is down is not an error) and starts a drainer on
// it. InvalidArgument for bad options.
Result<std::unique_ptr<EventDrainer>> StartEventDrainer(JobStore& store,
                                                        const NatsOptions& options);

}  // namespace baton
