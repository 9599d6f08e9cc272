// NotificationHub: who gets what, the subscription id on listen streams, listener lifetime,
// the acknowledged filter, shutdown.
#include "server/mcp/notification_hub.h"

#include <gtest/gtest.h>

#include <thread>

namespace baton {
namespace {

using nlohmann::json;

struct Inbox {
  std::vector<json> got;
  NotificationHub::Sink sink() {
    return [this](const json& m) { got.push_back(m); };
  }
};

ListenerInfo Legacy(const std::string& session) {
  ListenerInfo l;
  l.session_id = session;
  l.principal = "alice";
  return l;
}

ListenerInfo Modern(const std::string& session, json id) {
  ListenerInfo l = Legacy(session);
  l.modern = true;
  l.subscription_id = std::move(id);
  return l;
}

json Note(const std::string& method) { return {{"jsonrpc", "2.0"}, {"method", method}}; }

TEST(NotificationHubTest, PublishReachesOnlyListenersThePredicateAccepts) {
  NotificationHub hub;
  Inbox a, b;
  auto la = hub.Add(Legacy("a"), a.sink());
  auto lb = hub.Add(Legacy("b"), b.sink());
  int sent = hub.Publish([](const ListenerInfo& l) { return l.session_id == "b"; }, Note("x/y"));
  EXPECT_EQ(sent, 1);
  EXPECT_TRUE(a.got.empty());
  ASSERT_EQ(b.got.size(), 1u);
  EXPECT_EQ(b.got[0], Note("x/y")) << "legacy messages go out unchanged";
}

TEST(NotificationHubTest, ListenStreamsGetTheirSubscriptionIdInMeta) {
  NotificationHub hub;
  Inbox s1, s2;
  auto l1 = hub.Add(Modern("c", "listen:0"), s1.sink());
  auto l2 = hub.Add(Modern("c", 7), s2.sink());
  json n = {{"jsonrpc", "2.0"}, {"method", "notifications/tasks"},
            {"params", {{"taskId", "t1"}, {"_meta", {{"keep", 1}}}}}};
  EXPECT_EQ(hub.Publish([](const ListenerInfo&) { return true; }, n), 2);
  EXPECT_EQ(s1.got[0]["params"]["_meta"][kSubscriptionIdMeta], "listen:0");
  EXPECT_EQ(s1.got[0]["params"]["_meta"]["keep"], 1);
  EXPECT_EQ(s1.got[0]["params"]["taskId"], "t1");
  EXPECT_EQ(s2.got[0]["params"]["_meta"][kSubscriptionIdMeta], 7);
  // Without params at all, params._meta is created.
  hub.Publish([](const ListenerInfo& l) { return l.subscription_id == 7; }, Note("a/b"));
  EXPECT_EQ(s2.got[1]["params"]["_meta"][kSubscriptionIdMeta], 7);
}

TEST(NotificationHubTest, ADestroyedListenerGetsNothingMore) {
  NotificationHub hub;
  Inbox a;
  auto la = hub.Add(Legacy("a"), a.sink());
  EXPECT_EQ(hub.size(), 1u);
  la.reset();
  EXPECT_EQ(hub.size(), 0u);
  EXPECT_EQ(hub.Publish([](const ListenerInfo&) { return true; }, Note("x")), 0);
  EXPECT_TRUE(a.got.empty());
}

TEST(NotificationHubTest, PublishEachBuildsZeroOneOrSeveralMessagesPerListener) {
  NotificationHub hub;
  Inbox a, b, c;
  auto la = hub.Add(Legacy("a"), a.sink());
  auto lb = hub.Add(Legacy("b"), b.sink());
  auto lc = hub.Add(Modern("c", "L"), c.sink());
  int sent = hub.PublishEach([](const ListenerInfo& l) -> json {
    if (l.session_id == "a") return nullptr;
    if (l.session_id == "b") return json::array({Note("one"), Note("two")});
    return Note("three");
  });
  EXPECT_EQ(sent, 3);
  EXPECT_TRUE(a.got.empty());
  ASSERT_EQ(b.got.size(), 2u);
  EXPECT_EQ(b.got[1]["method"], "two");
  EXPECT_EQ(c.got[0]["params"]["_meta"][kSubscriptionIdMeta], "L");
}

TEST(NotificationHubTest, UpdatesToAListenerAreSeenByLaterPublishes) {
  NotificationHub hub;
  Inbox a;
  auto la = hub.Add(Legacy("a"), a.sink());
  la->SetResourceSubscriptions({"baton://jobs/4"});
  la->NoteJob(9, /*ended=*/false);
  la->NoteJob(10, /*ended=*/true);
  hub.Publish(
      [](const ListenerInfo& l) {
        return l.SubscribedTo("baton://jobs/4") && !l.SubscribedTo("baton://jobs/5") &&
               l.followed_jobs.count(9) && l.ended_seen.count(10) && !l.followed_jobs.count(10);
      },
      Note("ok"));
  EXPECT_EQ(a.got.size(), 1u);
  la->NoteJob(10, /*ended=*/false);  // a later wait gave up on it: follow it again
  hub.Publish([](const ListenerInfo& l) { return l.followed_jobs.count(10) && !l.ended_seen.count(10); },
              Note("ok"));
  EXPECT_EQ(a.got.size(), 2u);
}

TEST(NotificationHubTest, HonorKeepsServedResourcesAndRegisteredKeysOnly) {
  NotificationHub hub;
  hub.AddFilterKey("ext/thing", [](const json& v, const ListenerInfo&) { return v; });
  hub.AddFilterKey("ext/never", [](const json&, const ListenerInfo&) { return json(); });
  json requested = {{"toolsListChanged", true},
                    {"resourceSubscriptions", {"baton://jobs/1", "file:///x", 3}},
                    {"ext/thing", {{"a", 1}}},
                    {"ext/never", true},
                    {"unknown", true}};
  json honored = hub.Honor(requested, Modern("s", 1), [](const std::string& uri) {
    return uri.rfind("baton://jobs/", 0) == 0;
  });
  EXPECT_EQ(honored, json({{"resourceSubscriptions", {"baton://jobs/1"}}, {"ext/thing", {{"a", 1}}}}));
  EXPECT_EQ(hub.Honor(json::array(), Modern("s", 1), [](const std::string&) { return true; }),
            json::object());
}

TEST(NotificationHubTest, CloseAllWakesListenersAndStopsDelivery) {
  NotificationHub hub;
  Inbox a;
  auto la = hub.Add(Modern("s", 1), a.sink());
  EXPECT_FALSE(la->WaitClosed(10));
  std::thread closer([&] { hub.CloseAll(); });
  EXPECT_TRUE(la->WaitClosed(10000));
  closer.join();
  EXPECT_EQ(hub.Publish([](const ListenerInfo&) { return true; }, Note("x")), 0);
  auto late = hub.Add(Modern("s", 2), a.sink());
  EXPECT_TRUE(late->closed()) << "a listen opened during shutdown ends at once";
  EXPECT_TRUE(a.got.empty());
}

}  // namespace
}  // namespace baton
