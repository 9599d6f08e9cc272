#include "server/events/event_drainer.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "base/rfc3339.h"
#include "transport/jetstream_publisher.h"

namespace baton {
namespace {

using nlohmann::json;

// Appends `s` as a JSON string. Plain printable ASCII (nearly every subject, queue and state) is
// copied as is; anything else goes through nlohmann, which escapes and replaces invalid UTF-8.
void AppendString(std::string& out, std::string_view s) {
  bool plain = std::all_of(s.begin(), s.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (plain) {
    out += '"';
    out += s;
    out += '"';
  } else {
    out += json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

void AppendKey(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

// The job object of the payload, keys in the sorted order nlohmann used to write them.
void AppendJobSummary(std::string& out, const EventJobSummary& job) {
  out += "{\"attempt\":";
  out += std::to_string(job.attempt);
  if (job.chain_id) {
    out += ",\"chain_id\":";
    out += std::to_string(*job.chain_id);
  }
  out += ",\"command\":";
  // The stored spec's argv, as SQLite's json_extract wrote it; checked, since it is spliced in.
  if (!job.command_json.empty() && json::accept(job.command_json)) out += job.command_json;
  else out += "null";
  if (!job.error.empty()) {
    out += ',';
    AppendKey(out, "error");
    AppendString(out, job.error);
  }
  out += ",\"exit_code\":";
  out += job.exit_code ? std::to_string(*job.exit_code) : "null";
  out += ",\"max_attempts\":";
  out += std::to_string(job.max_attempts);
  if (!job.name.empty()) {
    out += ',';
    AppendKey(out, "name");
    AppendString(out, job.name);
  }
  if (job.signal) {
    out += ",\"signal\":";
    out += std::to_string(*job.signal);
  }
  out += ',';
  AppendKey(out, "state");
  AppendString(out, job.state);
  out += '}';
}

int64_t Jittered(int64_t ms) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> d(0.8, 1.2);
  return std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(ms) * d(rng)));
}

}  // namespace

std::string EventSubject(std::string_view instance, const Event& event) {
  using transport::SubjectToken;
  return "baton." + SubjectToken(instance) + ".job." + SubjectToken(event.queue) + "." +
         SubjectToken(event.type) + "." + std::to_string(event.job_id);
}

std::string EventMsgId(std::string_view instance, const Event& event) {
  return std::string(instance) + ":" + std::to_string(event.id) + ":" +
         std::to_string(event.ts_ms);
}

EventJobSummary SummaryOf(const Job& job) {
  EventJobSummary s;
  s.state = ToString(job.state);
  s.command_json = json(job.spec.command).dump(-1, ' ', false, json::error_handler_t::replace);
  s.attempt = job.attempt;
  s.max_attempts = job.spec.retry.max_attempts;
  s.name = job.spec.name;
  s.exit_code = job.exit_code;
  s.signal = job.signal;
  s.error = job.error;
  s.chain_id = job.chain_id;
  return s;
}

std::string EventPayload(std::string_view instance, const Event& event, const Job* job) {
  if (!job) return SummaryEventPayload(instance, event, nullptr);
  EventJobSummary summary = SummaryOf(*job);
  return SummaryEventPayload(instance, event, &summary);
}

// Written directly rather than through a json object: this runs once per published event.
std::string SummaryEventPayload(std::string_view instance, const Event& event,
                                const EventJobSummary* job) {
  std::string out;
  out.reserve(256 + event.data.size() + (job ? job->command_json.size() + job->error.size() : 0));
  out += "{\"data\":";
  if (event.data.empty()) {
    out += "{}";
  } else if (json::accept(event.data)) {
    out += event.data;  // the outbox holds JSON written by baton: passed through
  } else {
    AppendString(out, event.data);  // not JSON: pass the text along
  }
  out += ",\"id\":";
  out += std::to_string(event.id);
  out += ',';
  AppendKey(out, "instance");
  AppendString(out, instance);
  out += ",\"job\":";
  if (job) AppendJobSummary(out, *job);
  else out += "null";
  out += ",\"job_id\":";
  out += std::to_string(event.job_id);
  out += ',';
  AppendKey(out, "queue");
  AppendString(out, event.queue);
  out += ",\"schema\":";
  out += std::to_string(kEventSchemaVersion);
  out += ',';
  AppendKey(out, "ts");
  AppendString(out, FormatRfc3339Ms(event.ts_ms));
  out += ",\"ts_ms\":";
  out += std::to_string(event.ts_ms);
  out += ',';
  AppendKey(out, "type");
  AppendString(out, event.type);
  out += '}';
  return out;
}

// --- EventDrainer ---------------------------------------------------------------------------

EventDrainer::EventDrainer(JobStore& store, std::unique_ptr<transport::EventPublisher> publisher,
                           NatsOptions options)
    : store_(store), publisher_(std::move(publisher)), options_(std::move(options)) {}

EventDrainer::~EventDrainer() { Shutdown(); }

void EventDrainer::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_ || stopping_) return;
  started_ = true;
  thread_ = std::thread([this] { Loop(); });
}

void EventDrainer::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void EventDrainer::Wake() {
  std::lock_guard<std::mutex> lock(mu_);
  wake_ = true;
  cv_.notify_all();
}

bool EventDrainer::Flush(int64_t timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    auto left = store_.UnpublishedEvents(1);
    if (left.ok() && left->empty()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    Wake();
    std::unique_lock<std::mutex> lock(mu_);
    if (stopping_ || !started_) return false;  // nobody drains
    // The loop marks a batch within one ack timeout; look again shortly.
    cv_.wait_for(lock, std::chrono::milliseconds(20), [&] { return stopping_; });
  }
}

DrainerStats EventDrainer::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

Result<int> EventDrainer::RunOnce() {
  // Cheap while the broker is away: no store read, no payloads built.
  if (!publisher_->Connected()) return Status::Unavailable("events: not connected to NATS");
  // One query reads the events with their jobs' summaries: no per-event job read, no spec parse.
  BATON_ASSIGN_OR_RETURN(std::vector<OutboxEvent> events,
                         store_.UnpublishedEventsWithJobs(options_.batch_size));
  if (events.empty()) return 0;

  // At most one event per job: the job's next event waits for this one's ack.
  std::unordered_set<JobId> jobs;
  jobs.reserve(events.size());
  std::vector<const Event*> chosen;
  std::vector<transport::OutgoingMessage> batch;
  chosen.reserve(events.size());
  batch.reserve(events.size());
  for (const OutboxEvent& o : events) {
    if (!jobs.insert(o.event.job_id).second) continue;
    chosen.push_back(&o.event);
    const EventJobSummary* job = o.job ? &*o.job : nullptr;
    batch.push_back({EventSubject(options_.instance, o.event),
                     EventMsgId(options_.instance, o.event),
                     SummaryEventPayload(options_.instance, o.event, job)});
  }

  BATON_ASSIGN_OR_RETURN(std::vector<transport::PublishOutcome> outcomes,
                         publisher_->PublishBatch(batch));
  std::vector<int64_t> acked;
  int64_t duplicates = 0;
  Status first_failure;
  for (size_t i = 0; i < chosen.size() && i < outcomes.size(); ++i) {
    if (outcomes[i].status.ok()) {
      acked.push_back(chosen[i]->id);
      if (outcomes[i].duplicate) ++duplicates;
    } else if (first_failure.ok()) {
      first_failure = outcomes[i].status;
    }
  }
  if (!acked.empty()) {
    BATON_RETURN_IF_ERROR(store_.MarkPublished(acked));
    std::lock_guard<std::mutex> lock(mu_);
    stats_.published += static_cast<int64_t>(acked.size());
    stats_.duplicates += duplicates;
    stats_.last_published_id = std::max(stats_.last_published_id, acked.back());
  }
  if (!first_failure.ok()) return first_failure;
  return static_cast<int>(acked.size());
}

void EventDrainer::Loop() {
  int64_t backoff_ms = options_.retry_initial_ms;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      wake_ = false;
    }
    Result<int> r = RunOnce();
    std::unique_lock<std::mutex> lock(mu_);
    if (!r.ok()) {
      if (stats_.last_error != r.status().message())
        spdlog::warn("events: drain to NATS failed, retrying with backoff: {}",
                     r.status().ToString());
      stats_.last_error = r.status().message();
      ++stats_.failed_passes;
      // Disconnected: the connection reconnects with its own backoff; look again shortly so that
      // draining resumes right after it does. Connected but failing: back off exponentially.
      bool connected = publisher_->Connected();
      int64_t wait_ms = connected ? backoff_ms : options_.retry_initial_ms;
      cv_.wait_for(lock, std::chrono::milliseconds(Jittered(wait_ms)), [&] { return stopping_; });
      if (connected) backoff_ms = std::min(backoff_ms * 2, options_.retry_max_ms);
      continue;
    }
    if (!stats_.last_error.empty()) spdlog::info("events: draining to NATS again");
    stats_.last_error.clear();
    backoff_ms = options_.retry_initial_ms;
    if (*r > 0) continue;  // more may be waiting
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_interval_ms),
                 [&] { return stopping_ || wake_; });
  }
}

Result<std::unique_ptr<EventDrainer>> StartEventDrainer(JobStore& store,
                                                        const NatsOptions& options) {
  if (options.url.empty()) return Status::InvalidArgument("nats: no server URL (--nats)");
  if (options.batch_size < 1) return Status::InvalidArgument("nats: batch_size < 1");
  NatsOptions named = options;
  named.client_name = "baton-" + options.instance;
  BATON_ASSIGN_OR_RETURN(auto publisher, transport::JetStreamPublisher::Create(std::move(named)));
  auto drainer = std::make_unique<EventDrainer>(store, std::move(publisher), options);
  drainer->Start();
  return drainer;
}

}  // namespace baton
