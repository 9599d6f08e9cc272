#include "transport/jetstream_consumer.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace baton::transport {
namespace {

constexpr int64_t kNsPerMs = 1000000;

// With a Wait, nats.c sends a settlement as a request and waits for the server's reply.
Result<jsOptions> ConfirmedSettlement(int64_t wait_ms) {
  jsOptions jo;
  BATON_RETURN_IF_ERROR(FromNats(jsOptions_Init(&jo), "jetstream: ack options"));
  jo.Wait = wait_ms;
  return jo;
}

}  // namespace

// --- JetStreamMessage --------------------------------------------------------------------------

JetStreamMessage::JetStreamMessage(NatsMsgPtr msg, int64_t confirm_timeout_ms,
                                   std::shared_ptr<bool> consumer_gone)
    : msg_(std::move(msg)),
      confirm_timeout_ms_(confirm_timeout_ms),
      consumer_gone_(std::move(consumer_gone)) {
  const char* subject = natsMsg_GetSubject(msg_.get());
  subject_ = subject != nullptr ? subject : "";
  jsMsgMetaData* meta = nullptr;
  natsStatus s = natsMsg_GetMetaData(&meta, msg_.get());
  if (s == NATS_OK) {
    delivered_ = meta->NumDelivered;
    stream_sequence_ = meta->Sequence.Stream;
    jsMsgMetaData_Destroy(meta);
  } else {
    spdlog::warn("{}", FromNats(s, "jetstream: metadata of a message on " + subject_).ToString());
  }
}

std::string_view JetStreamMessage::data() const {
  const char* d = natsMsg_GetData(msg_.get());
  int n = natsMsg_GetDataLength(msg_.get());
  return d == nullptr || n <= 0 ? std::string_view() : std::string_view(d, static_cast<size_t>(n));
}

Status JetStreamMessage::Confirmed(natsStatus s, std::string_view what) {
  if (s == NATS_NO_RESPONDERS && consumer_gone_) *consumer_gone_ = true;
  return FromNats(s, "jetstream: " + std::string(what) + " of " + subject_ + " (stream seq " +
                         std::to_string(stream_sequence_) + ")");
}

Status JetStreamMessage::Ack() {
  BATON_ASSIGN_OR_RETURN(jsOptions jo, ConfirmedSettlement(confirm_timeout_ms_));
  return Confirmed(natsMsg_AckSync(msg_.get(), &jo, nullptr), "ack");
}

Status JetStreamMessage::Nak(int64_t delay_ms) {
  BATON_ASSIGN_OR_RETURN(jsOptions jo, ConfirmedSettlement(confirm_timeout_ms_));
  return Confirmed(natsMsg_NakWithDelay(msg_.get(), delay_ms, &jo), "nak");
}

Status JetStreamMessage::Term() {
  BATON_ASSIGN_OR_RETURN(jsOptions jo, ConfirmedSettlement(confirm_timeout_ms_));
  return Confirmed(natsMsg_Term(msg_.get(), &jo), "term");
}

// --- JetStreamConsumer -------------------------------------------------------------------------

JetStreamConsumer::JetStreamConsumer(NatsOptions nats, JetStreamConsumerOptions options)
    : nats_(std::move(nats)),
      options_(std::move(options)),
      stream_(StreamName(nats_)),
      filter_(options_.filter.empty() ? StreamSubjects(nats_).front() : options_.filter) {}

Result<std::unique_ptr<JetStreamConsumer>> JetStreamConsumer::Create(
    NatsOptions nats, JetStreamConsumerOptions options) {
  if (options.durable.empty()) return Status::InvalidArgument("jetstream: empty durable name");
  if (options.ack_wait_ms < 1) return Status::InvalidArgument("jetstream: ack wait < 1 ms");
  if (options.fetch_batch < 1) return Status::InvalidArgument("jetstream: fetch batch < 1");
  std::unique_ptr<JetStreamConsumer> c(new JetStreamConsumer(std::move(nats), std::move(options)));
  BATON_ASSIGN_OR_RETURN(c->nc_, ConnectNats(c->nats_, /*require_connected=*/false));
  BATON_ASSIGN_OR_RETURN(c->js_, JetStreamContext(c->nc_.get(), c->nats_.ack_timeout_ms));
  return c;
}

JetStreamConsumer::~JetStreamConsumer() {
  natsMsgList_Destroy(&batch_);  // undelivered: the server redelivers them after the ack wait
  sub_.reset();
  js_.reset();
  nc_.reset();
}

bool JetStreamConsumer::Connected() const { return IsConnected(nc_.get()); }

Status JetStreamConsumer::Subscribe() {
  if (!Connected()) return Status::Unavailable("jetstream: not connected to " + nats_.url);
  jsSubOptions so;
  BATON_RETURN_IF_ERROR(FromNats(jsSubOptions_Init(&so), "jetstream: subscribe options"));
  so.Stream = stream_.c_str();
  so.Config.Durable = options_.durable.c_str();
  so.Config.AckPolicy = js_AckExplicit;
  so.Config.AckWait = options_.ack_wait_ms * kNsPerMs;
  so.Config.MaxDeliver = options_.max_deliver;
  so.Config.DeliverPolicy = options_.deliver_all ? js_DeliverAll : js_DeliverNew;
  natsSubscription* sub = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_PullSubscribe(&sub, js_.get(), filter_.c_str(), options_.durable.c_str(),
                                  nullptr, &so, &jerr);
  if (s != NATS_OK) {
    Status st = FromNats(s, "jetstream: subscribe " + options_.durable + " to " + stream_ + " " +
                                filter_);
    if (jerr == 0) return st;
    return Status(st.code(), st.message() + " [jetstream error " +
                                 std::to_string(static_cast<int>(jerr)) + "]");
  }
  sub_.reset(sub);
  return Status::OK();
}

Result<std::optional<JetStreamMessage>> JetStreamConsumer::Next(int64_t timeout_ms) {
  if (*consumer_gone_) {
    *consumer_gone_ = false;
    sub_.reset();
  }
  if (next_in_batch_ >= batch_.Count) {
    // While disconnected, nats.c would buffer the pull request and time out: say so instead.
    if (!Connected()) return Status::Unavailable("jetstream: not connected to " + nats_.url);
    natsMsgList_Destroy(&batch_);  // every entry was handed out (and nulled)
    batch_ = natsMsgList{};
    next_in_batch_ = 0;
    if (!sub_) BATON_RETURN_IF_ERROR(Subscribe());
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = natsSubscription_Fetch(&batch_, sub_.get(), options_.fetch_batch, timeout_ms,
                                          &jerr);
    if (s == NATS_TIMEOUT) return std::optional<JetStreamMessage>();
    if (s != NATS_OK) {
      batch_ = natsMsgList{};
      // Bind again on the next call: the consumer may have been deleted (and is then recreated).
      sub_.reset();
      return FromNats(s, "jetstream: fetch from " + options_.durable);
    }
    if (batch_.Count == 0) return std::optional<JetStreamMessage>();
  }
  NatsMsgPtr msg(batch_.Msgs[next_in_batch_]);
  batch_.Msgs[next_in_batch_++] = nullptr;  // now owned by the message
  return std::optional<JetStreamMessage>(
      JetStreamMessage(std::move(msg), nats_.ack_timeout_ms, consumer_gone_));
}

}  // namespace baton::transport
