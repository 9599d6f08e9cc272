// Every decision that is served is in the decision log. While another process holds the
// database's write lock, a decision cannot be written: the guard waits out the busy timeout, then
// refuses the call with an error that says why — never serves it with its decision dropped.
// A second, real SQLite connection holds the lock (BEGIN IMMEDIATE), as another baton would.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <future>

#include "server/guard/policy_guard.h"
#include "tests/support/temp_dir.h"

namespace baton {
namespace {

using nlohmann::json;

class PolicyGuardLockedDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(JobStore::Open(dir_.File("b.db")).value());
    log_ = std::move(DecisionLog::Open(dir_.File("b.db")).value());
    auto g = PolicyGuard::Create(*store_, *log_, SystemClock::Instance(), {});  // allows all
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    guard_ = std::move(g).value();
    ASSERT_EQ(sqlite3_open(dir_.File("b.db").c_str(), &locker_), SQLITE_OK);
  }
  void TearDown() override { sqlite3_close(locker_); }
  void Lock() { ASSERT_EQ(sqlite3_exec(locker_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK); }
  void Unlock() { ASSERT_EQ(sqlite3_exec(locker_, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK); }
  GuardVerdict CallStatus() {
    std::string method = "tools/call", version = "2025-11-25", tool = "status";
    json args = {{"job_id", 1}};
    SessionInfo session{"s1", "stdio", "alice"};
    return guard_->Check({method, &tool, &args, session, version});
  }
  size_t Decisions() {
    auto recent = log_->Recent(1000);
    return recent.ok() ? recent->size() : 0;
  }

  testing::TempDir dir_;
  std::unique_ptr<JobStore> store_;
  std::unique_ptr<DecisionLog> log_;
  std::unique_ptr<PolicyGuard> guard_;
  sqlite3* locker_ = nullptr;
};

TEST_F(PolicyGuardLockedDbTest, ACallWaitsForABriefLockAndItsDecisionIsLogged) {
  Lock();
  auto call = std::async(std::launch::async, [&] { return CallStatus(); });
  EXPECT_EQ(call.wait_for(std::chrono::milliseconds(500)), std::future_status::timeout)
      << "the decision was not written while the lock was held";
  Unlock();
  GuardVerdict v = call.get();
  EXPECT_TRUE(v.allow) << json(v.reasons).dump();
  EXPECT_EQ(Decisions(), 1u);
}

TEST_F(PolicyGuardLockedDbTest, ACallWhoseDecisionCannotBeRecordedIsRefused) {
  Lock();  // held past the busy timeout
  GuardVerdict v = CallStatus();
  EXPECT_FALSE(v.allow) << "served with its decision dropped";
  ASSERT_EQ(v.reasons.size(), 1u);
  EXPECT_NE(v.reasons[0].find("could not be recorded in the decision log"), std::string::npos)
      << v.reasons[0];
  EXPECT_NE(v.reasons[0].find("busy"), std::string::npos) << v.reasons[0];

  // Jobs the runner judges (expansions, schedule firings) are refused alike.
  JobCheck c;
  c.origin = "expansion";
  c.spec = {{"command", {"echo", "hi"}}, {"cwd", "/tmp"}};
  std::vector<std::string> reasons = guard_->CheckJob(c);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_NE(reasons[0].find("could not be recorded"), std::string::npos) << reasons[0];
  Unlock();

  EXPECT_EQ(Decisions(), 0u);
  EXPECT_TRUE(CallStatus().allow) << "served again once the lock is released";
  EXPECT_EQ(Decisions(), 1u);
}

}  // namespace
}  // namespace baton
