// Job news: the channel message text, job resource URIs, and the feed reading new events from a
// real database file in order.
#include "server/mcp/job_news.h"

#include <gtest/gtest.h>

#include "server/jobs/job_feed.h"
#include "tests/support/temp_dir.h"

namespace baton {
namespace {

using nlohmann::json;

Job Ended(JobState state) {
  Job j;
  j.id = 42;
  j.state = state;
  j.spec.command = {"make", "test"};
  j.spec.queue = "builds";
  j.attempt = 1;
  return j;
}

TEST(JobChannelNotificationTest, AFailureSaysAttemptsExitCodeAndTheLastLinesOfStderr) {
  Job j = Ended(JobState::kDead);
  j.attempt = 4;
  j.attempt_base = 1;  // re-queued once by hand: 3 attempts since
  j.exit_code = 2;
  j.stdout_tail = "compiling\n";
  j.stderr_tail = "noise\nFAIL: test_parser\nFAIL: test_lexer\n\n2 failed\n";
  json n = JobChannelNotification(j);
  EXPECT_EQ(n["method"], "notifications/claude/channel");
  EXPECT_EQ(n["params"]["content"],
            "job 42 `make test` failed for good after 3 attempts (exit 2) — last lines: "
            "FAIL: test_parser | FAIL: test_lexer | 2 failed");
  EXPECT_EQ(n["params"]["meta"],
            json({{"job_id", "42"}, {"state", "dead"}, {"queue", "builds"}}));
}

TEST(JobChannelNotificationTest, ASuccessShowsStdoutAndNoExitCode) {
  Job j = Ended(JobState::kSucceeded);
  j.exit_code = 0;
  j.stdout_tail = "ok 12 tests\n";
  j.stderr_tail = "warning: slow\n";
  EXPECT_EQ(JobChannelNotification(j)["params"]["content"],
            "job 42 `make test` succeeded — last lines: ok 12 tests");
}

TEST(JobChannelNotificationTest, SignalsErrorsAndLongTextsStayShort) {
  Job killed = Ended(JobState::kFailed);
  killed.signal = 9;
  killed.error = "killed by signal Killed";
  EXPECT_EQ(JobChannelNotification(killed)["params"]["content"],
            "job 42 `make test` failed (signal 9): killed by signal Killed");

  Job cancelled = Ended(JobState::kCancelled);
  cancelled.error = "cancelled by request";
  EXPECT_EQ(JobChannelNotification(cancelled)["params"]["content"],
            "job 42 `make test` was cancelled: cancelled by request");

  Job big = Ended(JobState::kFailed);
  big.spec.command = {"python3", "-c", std::string(500, 'x')};
  big.exit_code = 1;
  big.stderr_tail = std::string(5000, 'e') + "\n";
  std::string content = JobChannelNotification(big)["params"]["content"];
  EXPECT_LT(content.size(), 500u) << content;
  EXPECT_NE(content.find("(exit 1)"), std::string::npos);
}

TEST(JobResourceUriTest, RoundTripsAndRejectsOtherUris) {
  EXPECT_EQ(JobResourceUri(7), "baton://jobs/7");
  EXPECT_EQ(JobIdFromUri("baton://jobs/7"), 7);
  for (const char* bad : {"baton://jobs/", "baton://jobs/7/x", "baton://jobs/-1", "file:///7",
                          "baton://jobs/99999999999999999999"})
    EXPECT_FALSE(JobIdFromUri(bad).has_value()) << bad;
}

TEST(JobFeedTest, DeliversEveryNewEventOnceInOrderFromWhereItStarted) {
  testing::TempDir dir;
  auto store = std::move(JobStore::Open(dir.File("baton.db"))).value();
  auto enqueue = [&] {
    EnqueueRequest r;
    r.spec.command = {"true"};
    r.spec.cwd = "/tmp";
    return store->Enqueue(r, 1000).value().id;
  };
  JobId before = enqueue();  // older than the feed: not news
  JobWatcher watcher(*store);
  JobFeed feed(*store, watcher);
  std::vector<Event> got;
  feed.Subscribe([&](const std::vector<Event>& events) {
    got.insert(got.end(), events.begin(), events.end());
  });
  // Not started: RunOnce reads from the cursor (0) on the calling thread.
  ASSERT_TRUE(feed.RunOnce().ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].job_id, before);
  got.clear();
  JobId a = enqueue(), b = enqueue();
  ASSERT_EQ(feed.RunOnce().value(), 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].job_id, a);
  EXPECT_EQ(got[0].type, "enqueued");
  EXPECT_EQ(got[1].job_id, b);
  EXPECT_EQ(feed.RunOnce().value(), 0) << "nothing new, nothing twice";
  EXPECT_EQ(feed.cursor(), got[1].id);
}

}  // namespace
}  // namespace baton
