#include "server/event_drainer.h"

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

json JobSummary(const Job& job) {
  json j = {{"state", ToString(job.state)},
            {"command", job.spec.command},
            {"attempt", job.attempt},
            {"max_attempts", job.spec.retry.max_attempts}};
  if (!job.spec.name.empty()) j["name"] = job.spec.name;
  j["exit_code"] = job.exit_code ? json(*job.exit_code) : json(nullptr);
  if (job.signal) j["signal"] = *job.signal;
  if (!job.error.empty()) j["error"] = job.error;
  if (job.chain_id) j["chain_id"] = *job.chain_id;
  return j;
}

int64_t Jittered(int64_t ms) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> d(0.8, 1.2);
  return std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(ms) * d(rng)));
}

}  // namespace

std::string StreamName(const NatsOptions& options) {
  if (!options.stream.empty()) return options.stream;
  if (options.instance == "default") return transport::kDefaultStreamName;
  return std::string(transport::kDefaultStreamName) + "_" + SubjectToken(options.instance);
}

std::string SubjectToken(std::string_view raw) {
  if (raw.empty()) return "_";
  std::string out(raw);
  for (char& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return out;
}

std::string EventSubject(std::string_view instance, const Event& event) {
  return "baton." + SubjectToken(instance) + ".job." + SubjectToken(event.queue) + "." +
         SubjectToken(event.type) + "." + std::to_string(event.job_id);
}

std::string EventMsgId(std::string_view instance, const Event& event) {
  return std::string(instance) + ":" + std::to_string(event.id) + ":" +
         std::to_string(event.ts_ms);
}

std::string EventPayload(std::string_view instance, const Event& event, const Job* job) {
  json data = json::object();
  if (!event.data.empty()) {
    data = json::parse(event.data, nullptr, /*allow_exceptions=*/false);
    if (data.is_discarded()) data = event.data;  // not JSON: pass the text along
  }
  json j = {{"schema", kEventSchemaVersion},
            {"id", event.id},
            {"type", event.type},
            {"ts", FormatRfc3339Ms(event.ts_ms)},
            {"ts_ms", event.ts_ms},
            {"instance", std::string(instance)},
            {"job_id", event.job_id},
            {"queue", event.queue},
            {"data", std::move(data)},
            {"job", job ? JobSummary(*job) : json(nullptr)}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
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
  BATON_ASSIGN_OR_RETURN(std::vector<Event> events, store_.UnpublishedEvents(options_.batch_size));
  if (events.empty()) return 0;

  // At most one event per job: the job's next event waits for this one's ack.
  std::unordered_set<JobId> jobs;
  std::vector<const Event*> chosen;
  for (const Event& e : events)
    if (jobs.insert(e.job_id).second) chosen.push_back(&e);

  std::unordered_map<JobId, std::optional<Job>> job_rows;
  std::vector<transport::OutgoingMessage> batch;
  batch.reserve(chosen.size());
  for (const Event* e : chosen) {
    auto [it, inserted] = job_rows.try_emplace(e->job_id);
    if (inserted && e->job_id != 0) {
      Result<Job> job = store_.Get(e->job_id);
      if (job.ok()) it->second = std::move(job).value();
      else if (job.status().code() != StatusCode::kNotFound) return job.status();
    }
    const Job* job = it->second ? &*it->second : nullptr;
    batch.push_back({EventSubject(options_.instance, *e), EventMsgId(options_.instance, *e),
                     EventPayload(options_.instance, *e, job)});
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

transport::JetStreamOptions ToJetStreamOptions(const NatsOptions& options) {
  transport::JetStreamOptions js;
  js.connect.url = options.url;
  js.connect.client_name = "baton-" + options.instance;
  js.connect.reconnect_min_ms = options.reconnect_min_ms;
  js.connect.reconnect_max_ms = options.reconnect_max_ms;
  js.stream = StreamName(options);
  js.subjects = {"baton." + SubjectToken(options.instance) + ".job.>"};
  js.max_age_ms = options.max_age_ms;
  js.max_bytes = options.max_bytes;
  js.max_msgs = options.max_msgs;
  js.duplicate_window_ms = options.duplicate_window_ms;
  js.memory_storage = options.memory_storage;
  js.max_in_flight = options.max_in_flight;
  js.ack_timeout_ms = options.ack_timeout_ms;
  return js;
}

Result<std::unique_ptr<EventDrainer>> StartEventDrainer(JobStore& store,
                                                        const NatsOptions& options) {
  if (options.url.empty()) return Status::InvalidArgument("nats: no server URL (--nats)");
  if (options.batch_size < 1) return Status::InvalidArgument("nats: batch_size < 1");
  BATON_ASSIGN_OR_RETURN(auto publisher,
                         transport::JetStreamPublisher::Create(ToJetStreamOptions(options)));
  auto drainer = std::make_unique<EventDrainer>(store, std::move(publisher), options);
  drainer->Start();
  return drainer;
}

}  // namespace baton
