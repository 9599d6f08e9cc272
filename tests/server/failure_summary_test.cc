#include "server/runner/failure_summary.h"

#include <gtest/gtest.h>

namespace baton {
namespace {

TEST(FailureSummaryTest, LastLinesKeepsTheEndWithinItsBounds) {
  struct Case { std::string text; int lines; size_t bytes; std::string want; };
  const Case kCases[] = {
      {"", 20, 2048, ""},
      {"one\ntwo\nthree\n\n", 20, 2048, "one\ntwo\nthree"},
      {"one\ntwo\nthree\n", 2, 2048, "two\nthree"},
      {"one\ntwo\nthree", 20, 9, "two\nthree"},      // "one\n" would not fit
      {"abcdefghij", 20, 4, "ghij"},                // one long line: its end
      {"x\n\xC3\xA9t\xC3\xA9", 20, 4, "t\xC3\xA9"},  // never half a character
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(LastLines(c.text, c.lines, c.bytes), c.want);
  }
}

TEST(FailureSummaryTest, VerifyFailureTextSaysHowTheVerifierEndedAndItsLastLines) {
  EXPECT_EQ(VerifyFailureText(1, std::nullopt, std::nullopt, "ok 1\nnot ok 2\n", ""),
            "verify command exited with code 1:\nok 1\nnot ok 2");
  EXPECT_EQ(VerifyFailureText(std::nullopt, 9, std::nullopt, "", "boom\n"),
            "verify command killed by signal 9:\nboom");
  EXPECT_EQ(VerifyFailureText(std::nullopt, 15, 30.0, "out\n", "err\n"),
            "verify command timed out after 30 s:\nout\nerr");
  EXPECT_EQ(VerifyFailureText(2, std::nullopt, std::nullopt, "", ""),
            "verify command exited with code 2");
}

TEST(FailureSummaryTest, VerifyFailureTextIsBoundedToTwentyLinesAndTwoKiB) {
  std::string many;
  for (int i = 1; i <= 100; ++i) many += "line " + std::to_string(i) + "\n";
  std::string text = VerifyFailureText(1, std::nullopt, std::nullopt, many, "");
  EXPECT_EQ(text.find("line 80\n"), std::string::npos);
  EXPECT_NE(text.find("line 81\n"), std::string::npos);
  EXPECT_EQ(text.substr(text.size() - 8), "line 100");
  std::string wide(10000, 'x');
  EXPECT_LE(VerifyFailureText(1, std::nullopt, std::nullopt, wide, "").size(),
            kFailureSummaryMaxBytes);
}

TEST(FailureSummaryTest, SummarizeFailureNamesTheAttemptItsKindAndStderr) {
  Attempt a;
  a.number = 2;
  EXPECT_EQ(SummarizeFailure(a, "x"), "");  // not ended
  a.outcome = AttemptOutcome::kSucceeded;
  EXPECT_EQ(SummarizeFailure(a, "x"), "");
  a.outcome = AttemptOutcome::kFailed;
  a.exit_code = 3;
  a.error = "exited with code 3";
  EXPECT_EQ(SummarizeFailure(a, "warning\nerror: no such file\n"),
            "attempt 2 failed: exited with code 3:\nwarning\nerror: no such file");
  a.outcome = AttemptOutcome::kTimeout;
  a.error = "timed out after 5 s";
  EXPECT_EQ(SummarizeFailure(a, ""), "attempt 2 timeout: timed out after 5 s");
  a.outcome = AttemptOutcome::kLost;
  a.error = "the runner died";
  EXPECT_EQ(SummarizeFailure(a, ""), "attempt 2 lost: the runner died");
  // A verifier's output is in its error already; the command's stderr is left out.
  a.outcome = AttemptOutcome::kVerifyFailed;
  a.error = "verify command exited with code 1:\nFAIL test_x";
  EXPECT_EQ(SummarizeFailure(a, "compiler noise"),
            "attempt 2 verify_failed: verify command exited with code 1:\nFAIL test_x");
  a.outcome = AttemptOutcome::kFailed;
  EXPECT_LE(SummarizeFailure(a, std::string(50000, 'e')).size(), kFailureSummaryMaxBytes);
}

}  // namespace
}  // namespace baton
