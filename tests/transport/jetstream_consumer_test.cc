// JetStreamConsumer against a real nats-server -js on a free loopback port: what it reads, that
// every settlement is confirmed by the server, and that one the server does not confirm is
// reported rather than lost.
#include "transport/jetstream_consumer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>

#include "base/clock.h"
#include "tests/support/nats_server.h"
#include "transport/jetstream_publisher.h"

namespace baton::transport {
namespace {

using baton::testing::NatsServer;
using namespace std::chrono_literals;

NatsOptions OptionsFor(const NatsServer& server) {
  NatsOptions o;
  o.url = server.url();
  o.reconnect_min_ms = 50;
  o.reconnect_max_ms = 500;
  o.stream = "TEST_EVENTS";
  o.subjects = {"test.>"};
  o.ack_timeout_ms = 2000;
  o.max_bytes = 64 << 20;  // below the test server's account limit
  return o;
}

std::string Payload(int n) { return "{\"n\":" + std::to_string(n) + "}"; }

// Publishes messages first .. first+count-1 on "test.k" (the stream is created on the way).
void Publish(const NatsOptions& o, int first, int count) {
  auto p = JetStreamPublisher::Create(o);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  for (int i = 0; i < 300 && !(*p)->Connected(); ++i) std::this_thread::sleep_for(10ms);
  std::vector<OutgoingMessage> batch;
  for (int i = first; i < first + count; ++i)
    batch.push_back({"test.k", "id-" + std::to_string(i), Payload(i)});
  auto outcomes = (*p)->PublishBatch(batch);
  ASSERT_TRUE(outcomes.ok()) << outcomes.status().ToString();
  for (const PublishOutcome& out : *outcomes) ASSERT_TRUE(out.status.ok()) << out.status.ToString();
}

JetStreamConsumerOptions Durable(const std::string& name) {
  JetStreamConsumerOptions c;
  c.durable = name;
  c.deliver_all = true;
  c.ack_wait_ms = 1000;
  return c;
}

std::unique_ptr<JetStreamConsumer> ConnectedConsumer(const NatsOptions& o,
                                                     const JetStreamConsumerOptions& c) {
  auto r = JetStreamConsumer::Create(o, c);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return nullptr;
  for (int i = 0; i < 300 && !(*r)->Connected(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE((*r)->Connected());
  return std::move(r).value();
}

// Calls Next until a message comes, for at most `ms` (errors are retried, as notify does).
std::optional<JetStreamMessage> NextWithin(JetStreamConsumer& c, int64_t ms) {
  const int64_t deadline = MonotonicMs() + ms;
  while (MonotonicMs() < deadline) {
    auto r = c.Next(200);
    if (!r.ok()) {
      std::this_thread::sleep_for(50ms);
      continue;
    }
    if (r->has_value()) return std::move(*r);
  }
  return std::nullopt;
}

Status DeleteConsumer(const std::string& url, const std::string& stream,
                      const std::string& durable) {
  NatsOptions o;
  o.url = url;
  BATON_ASSIGN_OR_RETURN(NatsConnectionPtr nc, ConnectNats(o, /*require_connected=*/true));
  BATON_ASSIGN_OR_RETURN(JsCtxPtr js, JetStreamContext(nc.get(), 2000));
  return FromNats(js_DeleteConsumer(js.get(), stream.c_str(), durable.c_str(), nullptr, nullptr),
                  "delete consumer");
}

TEST(JetStreamConsumerTest, ReadsTheStreamInOrderAndAnAckedMessageNeverComesBack) {
  NatsServer server;
  NatsOptions o = OptionsFor(server);
  Publish(o, 0, 5);
  {
    auto c = ConnectedConsumer(o, Durable("reader"));
    ASSERT_TRUE(c);
    for (int i = 0; i < 5; ++i) {
      SCOPED_TRACE(i);
      auto m = NextWithin(*c, 3000);
      ASSERT_TRUE(m.has_value());
      EXPECT_EQ(m->subject(), "test.k");
      EXPECT_EQ(m->data(), Payload(i));
      EXPECT_EQ(m->delivered(), 1u);
      EXPECT_EQ(m->stream_sequence(), static_cast<uint64_t>(i + 1));
      Status st = m->Ack();
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
  }
  // The durable keeps its place: past the ack wait, the same name finds nothing left.
  std::this_thread::sleep_for(1200ms);
  auto again = ConnectedConsumer(o, Durable("reader"));
  ASSERT_TRUE(again);
  EXPECT_FALSE(NextWithin(*again, 800).has_value());
}

TEST(JetStreamConsumerTest, NakRedeliversAfterItsDelayAndTermEndsDeliveries) {
  NatsServer server;
  NatsOptions o = OptionsFor(server);
  Publish(o, 0, 1);
  auto c = ConnectedConsumer(o, Durable("retry"));
  ASSERT_TRUE(c);
  auto first = NextWithin(*c, 3000);
  ASSERT_TRUE(first.has_value());
  const int64_t nak_at = MonotonicMs();
  Status st = first->Nak(300);
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto second = NextWithin(*c, 3000);
  ASSERT_TRUE(second.has_value());
  EXPECT_GE(MonotonicMs() - nak_at, 250);
  EXPECT_EQ(second->delivered(), 2u);
  EXPECT_EQ(second->stream_sequence(), first->stream_sequence());
  st = second->Term();
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_FALSE(NextWithin(*c, 1500).has_value()) << "terminated: not even after the ack wait";
}

TEST(JetStreamConsumerTest, AckToADeletedConsumerIsReportedAndTheConsumerBindsAgain) {
  NatsServer server;
  NatsOptions o = OptionsFor(server);
  Publish(o, 0, 1);
  auto c = ConnectedConsumer(o, Durable("deleted"));
  ASSERT_TRUE(c);
  auto m = NextWithin(*c, 3000);
  ASSERT_TRUE(m.has_value());
  Status del = DeleteConsumer(server.url(), "TEST_EVENTS", "deleted");
  ASSERT_TRUE(del.ok()) << del.ToString();
  Status st = m->Ack();
  ASSERT_FALSE(st.ok()) << "nobody confirmed the ack";
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_NE(st.message().find("ack"), std::string::npos) << st.ToString();
  // That failure makes the consumer bind again, recreating the durable, which (deliver all)
  // hands the unacknowledged message out again.
  auto again = NextWithin(*c, 5000);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->data(), Payload(0));
  EXPECT_TRUE(again->Ack().ok());
}

TEST(JetStreamConsumerTest, AckDuringAnOutageIsReportedAndNextSaysUnavailable) {
  NatsServer server;
  NatsOptions o = OptionsFor(server);
  o.ack_timeout_ms = 500;
  Publish(o, 0, 1);
  auto c = ConnectedConsumer(o, Durable("outage"));
  ASSERT_TRUE(c);
  auto m = NextWithin(*c, 3000);
  ASSERT_TRUE(m.has_value());
  server.Kill();
  Status st = m->Ack();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  auto next = c->Next(200);
  for (int i = 0; i < 20 && next.ok(); ++i) next = c->Next(100);  // the client may not know yet
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), StatusCode::kUnavailable) << next.status().ToString();
}

TEST(JetStreamConsumerTest, RefusesAnEmptyDurableName) {
  NatsOptions o;
  auto r = JetStreamConsumer::Create(o, JetStreamConsumerOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace baton::transport
