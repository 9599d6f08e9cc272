// A job outlives the MCP client: killing the front-end (or its whole process group, as a client
// may do) neither stops nor loses a running job; several front-ends never run a job twice.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "tests/e2e/mcp_client.h"
#include "tests/support/temp_dir.h"

namespace baton::testing {
namespace {

using nlohmann::json;

class KillTest : public ::testing::Test {
 protected:
  std::string db() const { return dir_.File("baton.db"); }
  TempDir dir_;
};

TEST_F(KillTest, JobCompletesAfterTheFrontEndIsKilled) {
  for (bool whole_group : {false, true}) {
    SCOPED_TRACE(whole_group ? "process group killed" : "front-end SIGKILLed");
    std::string marker = dir_.File(whole_group ? "group.done" : "single.done");
    int64_t id;
    {
      McpClient c(db(), {}, {"--runner-idle-exit", "3"});
      c.Initialize();
      json e = c.CallOk("enqueue", {{"command", {"/bin/sh", "-c", "sleep 1; echo finished > " + marker}}});
      id = e["job_id"];
      // Make sure it runs before the client dies.
      for (int i = 0; i < 100 && WaitForJob(db(), id, "running", 100).value("state", "") != "running"; ++i) {}
      c.process().Kill(SIGKILL, whole_group);
      ASSERT_TRUE(c.process().Wait(5000).has_value());
    }
    json job = WaitForJob(db(), id, "succeeded", 15000);
    EXPECT_EQ(job.value("state", ""), "succeeded") << job.dump();
    EXPECT_EQ(ReadFile(marker), "finished\n");
    // A new front-end sees the result.
    McpClient again(db(), {}, {"--runner-idle-exit", "3"});
    again.Initialize();
    json s = again.CallOk("status", {{"job_id", id}});
    EXPECT_EQ(s["state"], "succeeded") << s.dump();  // one job_id: the job's view itself
  }
}

TEST_F(KillTest, TwoFrontEndsEnqueueingConcurrentlyRunEachJobExactlyOnce) {
  const int kPerClient = 100;
  std::string runs = dir_.File("runs.log");
  std::vector<std::vector<int64_t>> ids(2);
  std::vector<std::thread> threads;
  for (int k = 0; k < 2; ++k) {
    threads.emplace_back([&, k] {
      McpClient c(db(), {}, {"--runner-idle-exit", "3"});
      c.Initialize();
      for (int i = 0; i < kPerClient; ++i) {
        json e = c.CallOk("enqueue", {{"command", {"/bin/sh", "-c", "echo \"$BATON_JOB_ID\" >> " + runs}}});
        if (e.is_null()) return;
        ids[k].push_back(e["job_id"]);
      }
      json all = json::array();
      for (int64_t id : ids[k]) all.push_back(id);
      // Wait for this client's jobs to finish (in pages of 100 ids).
      json s = c.CallOk("status", {{"job_ids", all}, {"wait_seconds", 60}, {"tail_bytes", 0}}, 90000);
      for (const json& j : s["jobs"]) EXPECT_EQ(j["state"], "succeeded") << j.dump();
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(ids[0].size() + ids[1].size(), 2u * kPerClient);
  std::map<int64_t, int> count;
  std::istringstream in(ReadFile(runs));
  for (int64_t id; in >> id;) ++count[id];
  std::set<int64_t> expected(ids[0].begin(), ids[0].end());
  expected.insert(ids[1].begin(), ids[1].end());
  EXPECT_EQ(expected.size(), 2u * kPerClient) << "ids are unique";
  for (int64_t id : expected) EXPECT_EQ(count[id], 1) << "job " << id << " ran " << count[id] << " times";
  EXPECT_EQ(count.size(), expected.size());
}

// The pids in the runners table (a second connection to the real database file).
std::vector<int> RunnerPids(const std::string& db) {
  std::vector<int> pids;
  sqlite3* conn = nullptr;
  if (sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(conn, 2000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(conn, "SELECT pid FROM runners", -1, &st, nullptr) == SQLITE_OK)
      while (sqlite3_step(st) == SQLITE_ROW) pids.push_back(sqlite3_column_int(st, 0));
    sqlite3_finalize(st);
  }
  sqlite3_close(conn);
  return pids;
}

// Issue 14 item 0: the OOM killer takes the runner while a job waits; the agent only polls
// status. The front-end must notice no runner holds the lock and start one, which runs the job;
// the dead runner's row is pruned.
TEST_F(KillTest, KilledRunnerIsReplacedWhileTheClientOnlyPollsStatus) {
  std::string marker = dir_.File("ran");
  McpClient c(db(), {}, {"--runner-idle-exit", "30"});
  c.Initialize();
  json e = c.CallOk("enqueue", {{"command", {"/bin/sh", "-c", "echo ran > " + marker}},
                                {"delay_seconds", 2}});
  int64_t id = e["job_id"];
  std::vector<int> before;
  for (int i = 0; i < 100 && (before = RunnerPids(db())).empty(); ++i) usleep(50000);
  ASSERT_EQ(before.size(), 1u) << "the enqueue started no runner";
  ASSERT_EQ(kill(before[0], SIGKILL), 0);

  json job;
  for (int i = 0; i < 20; ++i) {  // status waits only: no enqueue, no cancel
    json s = c.CallOk("status", {{"job_id", id}, {"wait_seconds", 1}});
    job = s;  // one job_id: the job's view itself
    if (job.value("state", "") == "succeeded") break;
  }
  EXPECT_EQ(job.value("state", ""), "succeeded") << job.dump();
  EXPECT_EQ(ReadFile(marker), "ran\n");
  std::vector<int> after = RunnerPids(db());
  ASSERT_EQ(after.size(), 1u) << "the dead runner's row was not pruned";
  EXPECT_NE(after[0], before[0]);
}

}  // namespace
}  // namespace baton::testing
