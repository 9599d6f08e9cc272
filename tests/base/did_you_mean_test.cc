#include "base/did_you_mean.h"

#include <gtest/gtest.h>

namespace baton {
namespace {

const std::vector<std::string> kArgs = {"job_id", "job_ids", "wait_seconds", "tail_bytes",
                                        "verbose", "attempts"};

TEST(DidYouMeanTest, SuggestsTheClosestName) {
  struct Case {
    const char* word;
    const char* want;
  };
  const Case kCases[] = {
      {"jobid", "job_id"},          {"job_di", "job_id"},     {"wait", "wait_seconds"},
      {"Wait_Seconds", "wait_seconds"}, {"verbos", "verbose"}, {"tailbytes", "tail_bytes"},
      {"attempt", "attempts"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.word);
    EXPECT_EQ(ClosestName(c.word, kArgs), c.want);
  }
}

TEST(DidYouMeanTest, SuggestsNothingForAFarName) {
  EXPECT_EQ(ClosestName("priority", kArgs), "");
  EXPECT_EQ(ClosestName("x", kArgs), "");
  EXPECT_EQ(ClosestName("", kArgs), "");
  EXPECT_EQ(DidYouMean("zzzzzz", kArgs), "");
}

TEST(DidYouMeanTest, SaysTheSuggestionInASentence) {
  EXPECT_EQ(DidYouMean("timeout", {"timeout_seconds", "cwd"}), " (did you mean `timeout_seconds`?)");
}

}  // namespace
}  // namespace baton
