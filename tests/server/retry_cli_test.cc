// The CLI side of durable execution, through the real binary: `baton jobs --state dead` shows
// the dead letters, `baton retry ID` re-queues one, `baton queue` and `baton schedule` manage
// queues and cron schedules. A runner is started on demand, as for any front-end, and stopped at
// the end.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/clock.h"
#include <filesystem>
#include <fstream>
#include <sstream>

#include "storage/decision_log.h"
#include "storage/job_store.h"
#include "tests/support/cli_fixture.h"

namespace baton {
namespace {

using RetryCliTest = testing::CliFixture;

TEST_F(RetryCliTest, DeadLetterRetryQueueAndScheduleCommands) {
  auto [rc, out] = Baton({"enqueue", "--max-attempts", "2", "--", "sh", "-c", "exit 4"});
  ASSERT_EQ(rc, 0) << out;
  std::string id = out.substr(0, out.find('\n'));
  std::string listed;
  int64_t deadline = MonotonicMs() + 15000;
  while (MonotonicMs() < deadline) {
    listed = Baton({"jobs", "--state", "dead"}).second;
    if (listed.find(id + " ") == 0) break;
    usleep(100000);
  }
  ASSERT_EQ(listed.find(id + " "), 0u) << "not in the dead-letter listing: " << listed;

  auto retried = Baton({"retry", id, "--reason", "try again"});
  EXPECT_EQ(retried.first, 0);
  EXPECT_NE(retried.second.find("queued"), std::string::npos) << retried.second;
  deadline = MonotonicMs() + 15000;
  std::string status;
  while (MonotonicMs() < deadline) {
    status = Baton({"status", id, "--json"}).second;
    if (status.find("\"attempt\":4") != std::string::npos &&
        status.find("\"state\":\"dead\"") != std::string::npos)
      break;
    usleep(100000);
  }
  EXPECT_NE(status.find("\"attempt\":4"), std::string::npos) << status;
  EXPECT_NE(Baton({"retry", "999"}).first, 0);

  EXPECT_EQ(Baton({"queue", "limit", "gpu", "2"}).first, 0);
  auto queues = Baton({"queue", "pause", "gpu"});
  EXPECT_NE(queues.second.find("gpu"), std::string::npos);
  EXPECT_NE(queues.second.find("paused"), std::string::npos);
  EXPECT_NE(queues.second.find("limit=2"), std::string::npos);

  auto created = Baton({"schedule", "create", "hourly", "--cron", "0 * * * *", "--tz",
                        "Europe/Paris", "--", "echo", "tick"});
  EXPECT_EQ(created.first, 0) << created.second;
  EXPECT_NE(Baton({"schedule", "list"}).second.find("hourly"), std::string::npos);
  EXPECT_NE(Baton({"schedule", "create", "bad", "--cron", "61 * * * *", "--", "true"}).first, 0);
  EXPECT_EQ(Baton({"schedule", "delete", "hourly"}).first, 0);
  EXPECT_EQ(Baton({"schedule", "list"}).second, "");
}

}  // namespace
}  // namespace baton

namespace baton {
namespace {

TEST_F(RetryCliTest, RetryWithAPolicyThatNowDeniesTheSpecIsRefused) {
  auto [rc, out] = Baton({"enqueue", "--max-attempts", "2", "--", "false"});
  ASSERT_EQ(rc, 0) << out;
  std::string id = out.substr(0, out.find('\n'));
  std::string status;
  int64_t deadline = MonotonicMs() + 15000;
  while (MonotonicMs() < deadline) {
    status = Baton({"status", id, "--json"}).second;
    if (status.find("\"state\":\"dead\"") != std::string::npos) break;
    usleep(100000);
  }
  ASSERT_NE(status.find("\"state\":\"dead\""), std::string::npos) << status;
  std::filesystem::create_directories(dir_.File("policy"));
  std::ofstream(dir_.File("policy/p.rego")) << R"(package baton
import rego.v1
default allow := true
deny contains "false is retired" if {
	input.tool == "enqueue"
	input.origin == "retry"
	input.arguments.command[0] == "false"
}
)";
  auto refused = Baton({"retry", id, "--policy", dir_.File("policy")});
  EXPECT_EQ(refused.first, 1) << "the retry must be refused";
  EXPECT_NE(Baton({"status", id, "--json"}).second.find("\"state\":\"dead\""), std::string::npos)
      << "a refused retry leaves the job dead";
  auto log = DecisionLog::Open(db_);
  ASSERT_TRUE(log.ok());
  bool logged = false;
  auto recent = (*log)->Recent(100);
  ASSERT_TRUE(recent.ok());
  for (const DecisionRecord& r : *recent)
    logged = logged || (!r.allowed && r.input_json.find("\"origin\":\"retry\"") != std::string::npos);
  EXPECT_TRUE(logged) << "the denial is in the decision log";
  // Without the policy (the built-in allows everything) it is re-queued.
  EXPECT_EQ(Baton({"retry", id}).first, 0);
}

}  // namespace
}  // namespace baton

namespace baton {
namespace {

// `baton jobs` shows how each job's latest attempt ended (exit code) and how long it ran;
// `baton --help` lists every command, serve --http and web included.
TEST_F(RetryCliTest, JobsListsExitCodeAndDurationAndHelpListsEveryCommand) {
  auto [rc, out] = Baton({"enqueue", "--", "sh", "-c", "sleep 0.3; exit 3"});
  ASSERT_EQ(rc, 0) << out;
  std::string id = out.substr(0, out.find('\n'));
  std::string line;
  int64_t deadline = MonotonicMs() + 15000;
  while (MonotonicMs() < deadline) {
    line = Baton({"jobs"}).second;
    if (line.find(" failed ") != std::string::npos) break;
    usleep(100000);
  }
  ASSERT_EQ(line.find(id + " "), 0u) << line;
  std::istringstream row(line);
  std::string job, state, queue, created, exit_code, duration;
  row >> job >> state >> queue >> created >> exit_code >> duration;
  EXPECT_EQ(state, "failed") << line;
  EXPECT_EQ(exit_code, "3") << line;
  ASSERT_FALSE(duration.empty());
  EXPECT_EQ(duration.back(), 's') << line;
  EXPECT_GE(std::stod(duration), 0.3) << line;

  auto help = Baton({"--help"});
  EXPECT_EQ(help.first, 0);
  for (const char* command : {"serve --stdio", "serve --http", "web", "runner", "enqueue",
                              "status", "jobs", "cancel", "logs", "retry", "queue", "schedule",
                              "policy", "notify", "version"})
    EXPECT_NE(help.second.find("baton " + std::string(command)), std::string::npos) << command;
}

}  // namespace
}  // namespace baton
