#include "transport/jetstream_publisher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace baton::transport {
namespace {

constexpr const char* kMsgIdHeader = "Nats-Msg-Id";
constexpr int64_t kNsPerMs = 1000000;

}  // namespace

// --- JetStreamPublisher ---------------------------------------------------------------------

JetStreamPublisher::JetStreamPublisher(NatsOptions options)
    : options_(std::move(options)),
      stream_(StreamName(options_)),
      subjects_(StreamSubjects(options_)) {}

Result<std::unique_ptr<JetStreamPublisher>> JetStreamPublisher::Create(NatsOptions options) {
  if (options.max_in_flight < 1) return Status::InvalidArgument("jetstream: max_in_flight < 1");
  if (options.max_age_ms > 0 && options.duplicate_window_ms > options.max_age_ms)
    return Status::InvalidArgument("jetstream: duplicate window longer than max age");
  std::unique_ptr<JetStreamPublisher> p(new JetStreamPublisher(std::move(options)));
  BATON_ASSIGN_OR_RETURN(p->nc_, ConnectNats(p->options_, /*require_connected=*/false));
  jsOptions jo;
  BATON_RETURN_IF_ERROR(FromNats(jsOptions_Init(&jo), "jetstream options"));
  jo.Wait = p->options_.ack_timeout_ms;
  // Our own window (in_flight_) is the real bound; the library's is a safety net above it.
  jo.PublishAsync.MaxPending = 2LL * p->options_.max_in_flight;
  jo.PublishAsync.StallWait = p->options_.ack_timeout_ms;
  jo.PublishAsync.AckHandler = &JetStreamPublisher::OnAck;
  jo.PublishAsync.AckHandlerClosure = p.get();
  jsCtx* js = nullptr;
  BATON_RETURN_IF_ERROR(FromNats(natsConnection_JetStream(&js, p->nc_.get(), &jo), "jetstream"));
  p->js_.reset(js);
  return p;
}

JetStreamPublisher::~JetStreamPublisher() {
  // Take back unacknowledged messages first: the library then has no message whose ack would
  // call OnAck. (A callback already running when this returns is the one window left; HandleAck
  // holds mu_, which we take below to wait it out.)
  if (js_) AbandonPending();
  { std::lock_guard<std::mutex> lock(mu_); }
  if (nc_) natsConnection_Close(nc_.get());
  js_.reset();
  nc_.reset();
}

bool JetStreamPublisher::Connected() const { return IsConnected(nc_.get()); }

Status JetStreamPublisher::EnsureStream() {
  if (!Connected()) return Status::Unavailable("jetstream: not connected to " + options_.url);
  jsStreamConfig cfg;
  BATON_RETURN_IF_ERROR(FromNats(jsStreamConfig_Init(&cfg), "jetstream: stream config"));
  std::vector<const char*> subjects;
  for (const std::string& s : subjects_) subjects.push_back(s.c_str());
  cfg.Name = stream_.c_str();
  cfg.Subjects = subjects.data();
  cfg.SubjectsLen = static_cast<int>(subjects.size());
  cfg.Retention = js_LimitsPolicy;
  cfg.Discard = js_DiscardOld;
  cfg.Storage = options_.memory_storage ? js_MemoryStorage : js_FileStorage;
  cfg.MaxAge = options_.max_age_ms * kNsPerMs;
  cfg.MaxBytes = options_.max_bytes;
  cfg.MaxMsgs = options_.max_msgs;
  cfg.Duplicates = options_.duplicate_window_ms * kNsPerMs;
  cfg.Replicas = 1;

  jsStreamInfo* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&raw, js_.get(), cfg.Name, nullptr, &jerr);
  JsStreamInfoPtr existing(raw);
  const char* op = "create stream";
  if (s == NATS_NOT_FOUND) {
    raw = nullptr;
    s = js_AddStream(&raw, js_.get(), &cfg, nullptr, &jerr);
  } else if (s == NATS_OK) {
    op = "update stream";
    raw = nullptr;
    s = js_UpdateStream(&raw, js_.get(), &cfg, nullptr, &jerr);
  } else {
    op = "get stream info";
  }
  JsStreamInfoPtr info(raw);
  if (s != NATS_OK) {
    Status st = FromNats(s, std::string("jetstream: ") + op + " " + stream_);
    if (st.code() == StatusCode::kUnavailable) return st;
    return Status::FailedPrecondition(st.message() + " [jetstream error " +
                                      std::to_string(static_cast<int>(jerr)) + "]");
  }
  stream_ready_ = true;
  return Status::OK();
}

void JetStreamPublisher::OnAck(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae,
                               void* closure) {
  static_cast<JetStreamPublisher*>(closure)->HandleAck(msg, pa, pae);
  natsMsg_Destroy(msg);
}

void JetStreamPublisher::HandleAck(natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae) {
  const char* id = nullptr;
  if (msg == nullptr || natsMsgHeader_Get(msg, kMsgIdHeader, &id) != NATS_OK || id == nullptr)
    return;
  PublishOutcome outcome;
  if (pa != nullptr) {
    outcome.duplicate = pa->Duplicate;
  } else {
    natsStatus err = pae != nullptr ? pae->Err : NATS_ERR;
    std::string text = pae != nullptr && pae->ErrText != nullptr ? pae->ErrText : "";
    if (err == NATS_NO_RESPONDERS) stream_ready_ = false;  // the stream is gone: recreate it
    std::string m = std::string("jetstream: publish ") + id + ": " + natsStatus_GetText(err);
    if (!text.empty()) m += " (" + text + ")";
    // Every failure is "unknown, republish later": the message may be stored anyway.
    outcome.status = Status::Unavailable(m);
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(id);
  if (it == index_.end() || done_[it->second]) return;  // from an abandoned batch
  outcomes_[it->second] = std::move(outcome);
  done_[it->second] = true;
  --in_flight_;
  --remaining_;
  cv_.notify_all();
}

void JetStreamPublisher::AbandonPending() {
  // nats.c 3.4.1 crashes here when nothing was ever published asynchronously.
  if (!published_any_) return;
  natsMsgList pending{};
  if (js_PublishAsyncGetPendingList(&pending, js_.get()) == NATS_OK) natsMsgList_Destroy(&pending);
}

Result<std::vector<PublishOutcome>> JetStreamPublisher::PublishBatch(
    const std::vector<OutgoingMessage>& batch) {
  std::lock_guard<std::mutex> publish_lock(publish_mu_);
  if (batch.empty()) return std::vector<PublishOutcome>{};
  if (!Connected()) return Status::Unavailable("jetstream: not connected to " + options_.url);
  if (!stream_ready_) BATON_RETURN_IF_ERROR(EnsureStream());
  {
    std::lock_guard<std::mutex> lock(mu_);
    index_.clear();
    for (size_t i = 0; i < batch.size(); ++i) {
      if (batch[i].msg_id.empty() || !index_.emplace(batch[i].msg_id, i).second)
        return Status::InvalidArgument("jetstream: empty or repeated msg_id in a batch");
    }
    outcomes_.assign(batch.size(), PublishOutcome{Status::Unavailable("jetstream: no ack"), false});
    done_.assign(batch.size(), false);
    in_flight_ = 0;
    remaining_ = batch.size();
  }
  auto finish_one = [&](size_t i, Status st) {  // mu_ held
    outcomes_[i].status = std::move(st);
    done_[i] = true;
    --remaining_;
  };
  const auto ack_timeout = std::chrono::milliseconds(options_.ack_timeout_ms);
  auto deadline = std::chrono::steady_clock::now() + ack_timeout;
  size_t sent = 0;
  for (; sent < batch.size(); ++sent) {
    const OutgoingMessage& m = batch[sent];
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_until(lock, deadline, [&] { return in_flight_ < options_.max_in_flight; });
      if (in_flight_ >= options_.max_in_flight) break;  // acks stopped coming: give up the rest
      ++in_flight_;
    }
    natsMsg* raw = nullptr;
    natsStatus s = natsMsg_Create(&raw, m.subject.c_str(), nullptr, m.payload.data(),
                                  static_cast<int>(m.payload.size()));
    if (s == NATS_OK) s = natsMsgHeader_Set(raw, kMsgIdHeader, m.msg_id.c_str());
    jsPubOptions po;
    if (s == NATS_OK) s = jsPubOptions_Init(&po);
    po.MaxWait = options_.ack_timeout_ms;
    if (s == NATS_OK) {
      published_any_ = true;
      s = js_PublishMsgAsync(js_.get(), &raw, &po);  // takes raw on success
    }
    natsMsg_Destroy(raw);
    if (s != NATS_OK) {
      Status st = FromNats(s, "jetstream: publish " + m.msg_id);
      std::lock_guard<std::mutex> lock(mu_);
      --in_flight_;
      finish_one(sent, st);
      if (st.code() == StatusCode::kUnavailable) {
        ++sent;
        break;
      }
      continue;
    }
    // Each publish gets the full ack timeout, counted from when it was sent.
    deadline = std::chrono::steady_clock::now() + ack_timeout;
  }
  std::unique_lock<std::mutex> lock(mu_);
  for (size_t i = sent; i < batch.size(); ++i)
    if (!done_[i]) finish_one(i, Status::Unavailable("jetstream: not sent (earlier publish failed)"));
  // A small margin over the library's own MaxWait, which reports timeouts through OnAck.
  cv_.wait_until(lock, deadline + std::chrono::milliseconds(500), [&] { return remaining_ == 0; });
  if (remaining_ != 0) {
    lock.unlock();
    AbandonPending();  // late acks for these are discarded by the library
    lock.lock();
    for (size_t i = 0; i < batch.size(); ++i)
      if (!done_[i]) finish_one(i, Status::Unavailable("jetstream: ack timed out (unknown)"));
  }
  index_.clear();
  in_flight_ = 0;
  return std::move(outcomes_);
}

}  // namespace baton::transport
