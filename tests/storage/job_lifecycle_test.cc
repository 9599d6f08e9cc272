#include "storage/job_lifecycle.h"

#include <gtest/gtest.h>

namespace baton {
namespace {

TEST(JobLifecycleTest, TransitionTable) {
  using S = JobState;
  struct Case { S from, to; bool allowed; };
  const Case kCases[] = {
      {S::kPending, S::kQueued, true},     {S::kPending, S::kRunning, false},
      {S::kPending, S::kCancelled, true},  {S::kPending, S::kSkipped, true},
      {S::kQueued, S::kRunning, true},     {S::kQueued, S::kSucceeded, false},
      {S::kQueued, S::kCancelled, true},   {S::kRunning, S::kSucceeded, true},
      {S::kRunning, S::kFailed, true},     {S::kRunning, S::kDead, true},
      {S::kRunning, S::kPending, true},    {S::kRunning, S::kCancelled, true},
      {S::kRunning, S::kSkipped, false},   {S::kSucceeded, S::kQueued, false},
      {S::kSucceeded, S::kRunning, false}, {S::kFailed, S::kQueued, true},
      {S::kDead, S::kQueued, true},        {S::kDead, S::kRunning, false},
      {S::kCancelled, S::kRunning, false}, {S::kSkipped, S::kSucceeded, false},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(std::string(ToString(c.from)) + " -> " + ToString(c.to));
    EXPECT_EQ(CanTransition(c.from, c.to), c.allowed);
  }
}

TEST(JobLifecycleTest, StateNamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(JobState::kSkipped); ++i) {
    auto s = static_cast<JobState>(i);
    EXPECT_EQ(JobStateFromString(ToString(s)), s);
  }
  EXPECT_FALSE(JobStateFromString("done").has_value());
}

}  // namespace
}  // namespace baton
