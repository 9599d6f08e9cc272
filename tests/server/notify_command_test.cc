// `baton notify` against a real nats-server, with events drained from a real SQLite store and a
// loopback httplib server as the webhook target.
#include "server/events/notify_command.h"
#include "server/events/notify_template.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "server/events/event_drainer.h"
#include "storage/job_store.h"
#include "tests/support/nats_server.h"
#include "tests/support/temp_dir.h"

namespace baton {
namespace {

using nlohmann::json;

// A webhook target on 127.0.0.1 that answers with the status `status_for(hit number)`.
class WebhookTarget {
 public:
  explicit WebhookTarget(std::function<int(int)> status_for) : status_for_(std::move(status_for)) {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      hits_.push_back({req.body, req.get_header_value("Title"), MonotonicMs()});
      res.status = status_for_(static_cast<int>(hits_.size()));
      res.set_content("ok", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~WebhookTarget() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  struct Hit {
    std::string body, title;
    int64_t at_ms;
  };
  std::vector<Hit> hits() {
    std::lock_guard<std::mutex> lock(mu_);
    return hits_;
  }

 private:
  std::function<int(int)> status_for_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Hit> hits_;
};

class NotifyCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(JobStore::Open(dir_.File("baton.db"))).value();
    NatsOptions o;
    o.url = nats_.url();
    o.max_bytes = 64 << 20;
    o.poll_interval_ms = 20;
    drainer_ = std::move(StartEventDrainer(*store_, o)).value();
  }
  // Enqueues `n` jobs (one `enqueued` event each) and waits until they are published.
  void Enqueue(int n) {
    for (int i = 0; i < n; ++i) {
      EnqueueRequest r;
      r.spec.command = {"echo", "job \"" + std::to_string(i) + "\""};
      r.spec.cwd = "/tmp";
      ASSERT_TRUE(store_->Enqueue(r, SystemClock::Instance().NowMs()).ok());
    }
    for (int i = 0; i < 500 && !store_->UnpublishedEvents(1)->empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_TRUE(store_->UnpublishedEvents(1)->empty());
  }
  std::vector<std::string> Base(const std::string& durable) {
    return {"--nats", nats_.url(), "--durable", durable, "--deliver", "all", "--idle-exit", "1500ms"};
  }
  static int Run(std::vector<std::string> args) { return RunNotifyCommand(args); }

  testing::TempDir dir_;
  testing::NatsServer nats_;
  std::unique_ptr<JobStore> store_;
  std::unique_ptr<EventDrainer> drainer_;
};

TEST(NotifyArgsTest, RejectsBadConfigurations) {
  struct Case {
    std::vector<std::string> args;
    const char* why;
  };
  const Case kCases[] = {
      {{}, "exactly one action"},
      {{"--webhook", "http://x/", "--command", "true"}, "exactly one action"},
      {{"--webhook", "ftp://x/"}, "http:// or https://"},
      {{"--webhook", "http://x/", "--ack-wait", "soon"}, "bad duration"},
      {{"--webhook", "http://x/", "--timeout", "2m", "--ack-wait", "1m"}, "shorter than --ack-wait"},
      {{"--webhook", "http://x/", "--bogus", "1"}, "unknown flag"},
      {{"--command"}, "needs argv"},
      {{"--config", "/nonexistent.json"}, "cannot read"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.why);
    auto r = ParseNotifyArgs(c.args);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.why), std::string::npos) << r.status().message();
  }
  EXPECT_EQ(RunNotifyCommand({"--bogus"}), 2);
}

TEST(NotifyArgsTest, DefaultsFollowASvixLikeSchedule) {
  auto c = ParseNotifyArgs({"--webhook", "https://ntfy.sh/t", "--command-not", "x"});
  EXPECT_FALSE(c.ok());
  c = ParseNotifyArgs({"--webhook", "https://ntfy.sh/t"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->retry_schedule_ms,
            (std::vector<int64_t>{5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000}));
  EXPECT_EQ(c->max_deliver, 0) << "0 means schedule + 1 = 8 deliveries";
  EXPECT_EQ(*ParseDurationMs("250ms"), 250);
  EXPECT_EQ(*ParseDurationMs("2h"), 7200000);
  EXPECT_EQ(*ParseDurationMs("3"), 3000);
  EXPECT_FALSE(ParseDurationMs("3d").has_value());
}

TEST(NotifyArgsTest, TemplatesExpandPayloadFields) {
  json p = {{"type", "failed"}, {"job_id", 7}, {"job", {{"command", {"make", "test"}}, {"exit_code", 2}, {"error", nullptr}}}};
  struct Case {
    const char* tmpl;
    const char* out;
  };
  const Case kCases[] = {
      {"job {{job_id}} {{type}}", "job 7 failed"},
      {"{{ job.command }} -> {{job.exit_code}}", "make test -> 2"},
      {"[{{job.error}}][{{missing.path}}]", "[][]"},
      {"on {{subject}}", "on baton.default.job.q.failed.7"},
      {"no close {{type", "no close {{type"},
      {"token {{env.BATON_NOTIFY_TEST_TOKEN}}", "token s3cret"},
  };
  setenv("BATON_NOTIFY_TEST_TOKEN", "s3cret", 1);
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.tmpl);
    EXPECT_EQ(ExpandTemplate(c.tmpl, p, "baton.default.job.q.failed.7"), c.out);
  }
}

TEST(NotifyArgsTest, ExampleConfigurationsParse) {
  for (const char* name : {"ntfy.json", "notify-send.json", "telegram.json"}) {
    SCOPED_TRACE(name);
    auto c = ParseNotifyArgs({"--config", testing::SourceDir() + "/examples/notifiers/" + name});
    EXPECT_TRUE(c.ok()) << c.status().ToString();
  }
}

TEST_F(NotifyCommandTest, FailingWebhookIsRedeliveredThenStopsAfterMaxDeliveries) {
  WebhookTarget target([](int) { return 500; });
  Enqueue(2);
  auto args = Base("failing");
  for (std::string a : {"--webhook", "", "--max-deliver", "3", "--retry-schedule", "200ms,400ms"})
    args.push_back(a);
  args[args.size() - 5] = target.url();
  EXPECT_EQ(Run(args), 0);
  auto hits = target.hits();
  std::map<int64_t, std::vector<int64_t>> per_event;
  for (const auto& h : hits) per_event[json::parse(h.body)["id"].get<int64_t>()].push_back(h.at_ms);
  ASSERT_EQ(per_event.size(), 2u);
  for (const auto& [id, times] : per_event) {
    SCOPED_TRACE(id);
    ASSERT_EQ(times.size(), 3u) << "1 delivery + 2 redeliveries, then it stops";
    EXPECT_GE(times[1] - times[0], 180);
    EXPECT_GE(times[2] - times[1], 380);
  }
  // The same durable again: nothing is left to deliver.
  EXPECT_EQ(Run(args), 0);
  EXPECT_EQ(target.hits().size(), hits.size());
}

TEST_F(NotifyCommandTest, WebhookRecoversAfterFailuresAndDeliversOnceFromConfigFile) {
  WebhookTarget target([](int n) { return n <= 2 ? 503 : 200; });  // two failures, then fine
  Enqueue(1);
  json config = {{"nats", nats_.url()},
                 {"durable", "ntfy-like"},
                 {"deliver", "all"},
                 {"events", {"enqueued"}},
                 {"retry_schedule", {"100ms", "100ms", "100ms"}},
                 {"idle_exit", "1500ms"},
                 {"webhook",
                  {{"url", target.url()},
                   {"headers", {{"Title", "baton: job {{job_id}} {{type}}"}}},
                   {"body", {{"chat_id", "42"}, {"text", "{{job.command}} is {{job.state}}"}}}}}};
  testing::WriteFile(dir_.File("notify.json"), config.dump(2));
  EXPECT_EQ(Run({"--config", dir_.File("notify.json")}), 0);
  auto hits = target.hits();
  ASSERT_EQ(hits.size(), 3u);
  json body = json::parse(hits.back().body);  // templated per value: still valid JSON
  EXPECT_EQ(body["chat_id"], "42");
  EXPECT_EQ(body["text"], "echo job \"0\" is queued");
  EXPECT_EQ(hits.back().title, "baton: job 1 enqueued");
  EXPECT_EQ(Run({"--config", dir_.File("notify.json")}), 0);
  EXPECT_EQ(target.hits().size(), 3u) << "acked: never delivered again";
}

TEST_F(NotifyCommandTest, CommandGetsTheEventJsonOnStdin) {
  Enqueue(3);
  auto args = Base("cmd");
  args.insert(args.end(), {"--command", "sh", "-c",
                           "cat > " + dir_.path() + "/event-$BATON_EVENT_ID-{{type}}.json"});
  EXPECT_EQ(Run(args), 0);
  for (int id = 1; id <= 3; ++id) {
    std::string text = testing::ReadFile(dir_.File("event-" + std::to_string(id) + "-enqueued.json"));
    ASSERT_FALSE(text.empty()) << id;
    json p = json::parse(text);
    EXPECT_EQ(p["id"], id);
    EXPECT_EQ(p["schema"], kEventSchemaVersion);
  }
}

}  // namespace
}  // namespace baton
