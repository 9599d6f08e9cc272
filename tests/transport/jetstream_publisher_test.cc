// JetStreamPublisher against a real nats-server -js on a free loopback port.
#include "transport/jetstream_publisher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "base/clock.h"
#include "tests/support/nats_server.h"

namespace baton::transport {
namespace {

using baton::testing::FetchAll;
using baton::testing::NatsServer;
using baton::testing::NatsServerOptions;

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

std::unique_ptr<JetStreamPublisher> Connected(NatsOptions o) {
  auto p = JetStreamPublisher::Create(std::move(o));
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  if (!p.ok()) return nullptr;
  for (int i = 0; i < 200 && !(*p)->Connected(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE((*p)->Connected());
  return std::move(p).value();
}

std::vector<OutgoingMessage> Messages(int first, int count) {
  std::vector<OutgoingMessage> out;
  for (int i = first; i < first + count; ++i)
    out.push_back({"test.k" + std::to_string(i % 7), "id-" + std::to_string(i),
                   "{\"n\":" + std::to_string(i) + "}"});
  return out;
}

JsStreamInfoPtr StreamInfo(const std::string& url, const std::string& stream) {
  NatsOptions co;
  co.url = url;
  auto nc = ConnectNats(co, true);
  EXPECT_TRUE(nc.ok());
  jsCtx* js = nullptr;
  EXPECT_EQ(NATS_OK, natsConnection_JetStream(&js, nc->get(), nullptr));
  JsCtxPtr jsp(js);
  jsStreamInfo* si = nullptr;
  EXPECT_EQ(NATS_OK, js_GetStreamInfo(&si, js, stream.c_str(), nullptr, nullptr));
  return JsStreamInfoPtr(si);
}

TEST(JetStreamPublisherTest, PublishesBatchAndEveryMessageIsAcked) {
  NatsServer server;
  auto pub = Connected(OptionsFor(server));
  ASSERT_TRUE(pub);
  auto batch = Messages(0, 1000);
  auto outcomes = pub->PublishBatch(batch);
  ASSERT_TRUE(outcomes.ok()) << outcomes.status().ToString();
  ASSERT_EQ(outcomes->size(), batch.size());
  for (const PublishOutcome& o : *outcomes) {
    EXPECT_TRUE(o.status.ok()) << o.status.ToString();
    EXPECT_FALSE(o.duplicate);
  }
  auto got = FetchAll(server.url(), "TEST_EVENTS", "c1", "test.>");
  ASSERT_EQ(got.size(), batch.size());
  for (size_t i = 0; i < got.size(); ++i) {  // one connection: stored in publish order
    EXPECT_EQ(got[i].msg_id, batch[i].msg_id);
    EXPECT_EQ(got[i].subject, batch[i].subject);
    EXPECT_EQ(got[i].payload, batch[i].payload);
  }
}

TEST(JetStreamPublisherTest, RepublishedIdIsAckedAsDuplicateAndStoredOnce) {
  NatsServer server;
  auto pub = Connected(OptionsFor(server));
  ASSERT_TRUE(pub);
  ASSERT_TRUE(pub->PublishBatch(Messages(0, 10)).ok());
  auto again = pub->PublishBatch(Messages(5, 10));  // 5..9 again, 10..14 new
  ASSERT_TRUE(again.ok());
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE((*again)[i].status.ok());
    EXPECT_EQ((*again)[i].duplicate, i < 5) << i;
  }
  auto got = FetchAll(server.url(), "TEST_EVENTS", "c1", "test.>");
  EXPECT_EQ(got.size(), 15u);
}

TEST(JetStreamPublisherTest, CreatesStreamWithLimitsThenUpdatesThem) {
  NatsServer server;
  struct Case {
    int64_t max_age_ms, max_bytes, dup_ms;
  };
  const Case kCases[] = {{3600 * 1000, 1 << 20, 60 * 1000}, {7200 * 1000, 4 << 20, 120 * 1000}};
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.max_bytes);
    NatsOptions o = OptionsFor(server);
    o.max_age_ms = c.max_age_ms;
    o.max_bytes = c.max_bytes;
    o.duplicate_window_ms = c.dup_ms;
    auto pub = Connected(o);
    ASSERT_TRUE(pub);
    ASSERT_TRUE(pub->EnsureStream().ok());
    auto si = StreamInfo(server.url(), "TEST_EVENTS");
    ASSERT_TRUE(si);
    EXPECT_EQ(si->Config->MaxAge, c.max_age_ms * 1000000);
    EXPECT_EQ(si->Config->MaxBytes, c.max_bytes);
    EXPECT_EQ(si->Config->Duplicates, c.dup_ms * 1000000);
    ASSERT_EQ(si->Config->SubjectsLen, 1);
    EXPECT_STREQ(si->Config->Subjects[0], "test.>");
  }
}

TEST(JetStreamPublisherTest, StreamMaxBytesIsEnforcedByDiscardingOldest) {
  NatsServer server;
  NatsOptions o = OptionsFor(server);
  o.max_bytes = 64 << 10;
  auto pub = Connected(o);
  ASSERT_TRUE(pub);
  std::vector<OutgoingMessage> batch;
  for (int i = 0; i < 500; ++i) batch.push_back({"test.big", "b" + std::to_string(i), std::string(1000, 'x')});
  auto outcomes = pub->PublishBatch(batch);
  ASSERT_TRUE(outcomes.ok());
  for (const auto& oc : *outcomes) EXPECT_TRUE(oc.status.ok());
  auto si = StreamInfo(server.url(), "TEST_EVENTS");
  EXPECT_LE(si->State.Bytes, static_cast<uint64_t>(64 << 10));
  EXPECT_LT(si->State.Msgs, 500u);
  EXPECT_EQ(si->State.LastSeq, 500u);
}

TEST(JetStreamPublisherTest, StreamAboveAccountLimitIsRefusedWithReason) {
  NatsServerOptions so;
  so.max_file_store_bytes = 1 << 20;  // set in the generated config file
  NatsServer server(so);
  NatsOptions o = OptionsFor(server);
  o.max_bytes = 8 << 20;
  auto pub = Connected(o);
  ASSERT_TRUE(pub);
  Status st = pub->EnsureStream();
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
}

TEST(JetStreamPublisherTest, DisconnectedPublishIsUnavailableAtOnce) {
  NatsServer server;
  auto pub = Connected(OptionsFor(server));
  ASSERT_TRUE(pub);
  server.Kill();
  for (int i = 0; i < 200 && pub->Connected(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  int64_t start = MonotonicMs();
  auto r = pub->PublishBatch(Messages(0, 5));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_LT(MonotonicMs() - start, 200);
}

TEST(JetStreamPublisherTest, ServerDownAtStartIsNotAnError) {
  NatsServer server;
  server.Kill();
  auto pub = JetStreamPublisher::Create(OptionsFor(server));
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_FALSE((*pub)->Connected());
  server.Restart();
  for (int i = 0; i < 500 && !(*pub)->Connected(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE((*pub)->Connected());
  auto r = (*pub)->PublishBatch(Messages(0, 3));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const auto& oc : *r) EXPECT_TRUE(oc.status.ok());
}

// Publishes `total` messages, republishing every message whose outcome is not OK, while the
// server is killed for more than 10 s and restarted: the durable consumer gets each exactly once.
TEST(JetStreamPublisherTest, OutageLosesNothingAndDuplicatesNothing) {
  NatsServer server;
  auto pub = Connected(OptionsFor(server));
  ASSERT_TRUE(pub);
  constexpr int kTotal = 3000;
  std::atomic<int> acked{0};
  std::atomic<int> failed_outcomes{0};
  std::thread producer([&] {
    auto pending = Messages(0, kTotal);
    while (!pending.empty()) {
      std::vector<OutgoingMessage> batch(pending.begin(),
                                         pending.begin() + std::min<size_t>(100, pending.size()));
      auto r = pub->PublishBatch(batch);
      std::vector<OutgoingMessage> retry;
      if (!r.ok()) {
        retry = batch;
      } else {
        for (size_t i = 0; i < batch.size(); ++i) {
          if ((*r)[i].status.ok()) {
            ++acked;
          } else {
            ++failed_outcomes;
            retry.push_back(batch[i]);
          }
        }
      }
      pending.erase(pending.begin(), pending.begin() + batch.size());
      pending.insert(pending.begin(), retry.begin(), retry.end());
      if (!r.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      else std::this_thread::sleep_for(std::chrono::milliseconds(5));  // spread over the outage
    }
  });
  while (acked < 300) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server.Kill();
  std::this_thread::sleep_for(std::chrono::seconds(11));
  int acked_during_outage = acked;
  server.Restart();
  producer.join();
  EXPECT_EQ(acked, kTotal);
  EXPECT_LT(acked_during_outage, kTotal);
  auto got = FetchAll(server.url(), "TEST_EVENTS", "outage", "test.>");
  std::set<std::string> ids;
  for (const auto& m : got) EXPECT_TRUE(ids.insert(m.msg_id).second) << "duplicate " << m.msg_id;
  EXPECT_EQ(ids.size(), static_cast<size_t>(kTotal));
  EXPECT_EQ(got.size(), static_cast<size_t>(kTotal));
}

}  // namespace
}  // namespace baton::transport
