// GroupCommit (server/mcp/group_commit.h): the responses of a batch are sent only after its commit,
// so a client that holds an answer can always find its job from any other connection.
#include "server/mcp/group_commit.h"

#include <gtest/gtest.h>

#include "server/jobs/state_paths.h"
#include "tests/support/temp_dir.h"

namespace baton {
namespace {

using nlohmann::json;

// Records each response with the number of jobs another connection saw when it arrived.
class Recorder final : public Responder {
 public:
  explicit Recorder(JobStore& observer) : observer_(observer) {}
  void Respond(const json& m) override {
    auto jobs = observer_.List(JobFilter{});
    seen.push_back({m, jobs.ok() ? static_cast<int>(jobs->size()) : -1});
  }
  void Notify(const json& m) override { notified.push_back(m); }
  std::vector<std::pair<json, int>> seen;
  std::vector<json> notified;

 private:
  JobStore& observer_;
};

class GroupCommitResponderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto paths = ResolveStatePaths(dir_.File("jobs.db"));
    ASSERT_TRUE(paths.ok());
    store_ = std::move(JobStore::Open(paths->db)).value();
    observer_ = std::move(JobStore::Open(paths->db)).value();
    runner_ = std::make_unique<RunnerControl>(*paths, RunnerLaunch{"", {}, false});
    recorder_ = std::make_shared<Recorder>(*observer_);
  }
  EnqueueRequest Req() {
    EnqueueRequest r;
    r.spec.command = {"true"};
    r.spec.cwd = "/tmp";
    return r;
  }
  testing::TempDir dir_;
  std::unique_ptr<JobStore> store_, observer_;
  std::unique_ptr<RunnerControl> runner_;
  std::shared_ptr<Recorder> recorder_;
};

TEST_F(GroupCommitResponderTest, ResponsesOfABatchAreSentAfterItsCommit) {
  GroupCommit group(recorder_, *store_, *runner_);
  group.Begin();
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(store_->Enqueue(Req(), 1000).ok());
    group.Respond({{"jsonrpc", "2.0"}, {"id", i}, {"result", json::object()}});
  }
  group.Notify({{"jsonrpc", "2.0"}, {"method", "notifications/progress"}});
  EXPECT_TRUE(recorder_->seen.empty());       // held: nothing is committed yet
  EXPECT_EQ(recorder_->notified.size(), 1u);  // notifications are not held
  group.End();
  ASSERT_EQ(recorder_->seen.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(recorder_->seen[i].first["id"], i + 1);  // in order
    EXPECT_EQ(recorder_->seen[i].second, 3);           // every job committed before any answer
  }
}

TEST_F(GroupCommitResponderTest, OutsideABatchResponsesGoOutAtOnce) {
  GroupCommit group(recorder_, *store_, *runner_);
  ASSERT_TRUE(store_->Enqueue(Req(), 1000).ok());
  group.Respond({{"jsonrpc", "2.0"}, {"id", 1}, {"result", json::object()}});
  ASSERT_EQ(recorder_->seen.size(), 1u);
  EXPECT_EQ(recorder_->seen[0].second, 1);
}

}  // namespace
}  // namespace baton
