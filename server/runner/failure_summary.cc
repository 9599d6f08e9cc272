#include "server/runner/failure_summary.h"

#include <cstdio>

namespace baton {

namespace {

bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The last `max_bytes` of `text`, starting at a character boundary.
std::string_view TailBytes(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t start = text.size() - max_bytes;
  while (start < text.size() && IsUtf8Continuation(text[start])) ++start;
  return text.substr(start);
}

std::string WithTail(std::string head, std::string_view tail_source) {
  if (head.size() + 2 >= kFailureSummaryMaxBytes)
    return std::string(TailBytes(head, kFailureSummaryMaxBytes));
  // The head says what failed; what is left of the budget goes to the output's last lines.
  std::string tail = LastLines(tail_source, kFailureTailLines, kFailureSummaryMaxBytes - head.size() - 2);
  if (tail.empty()) return head;
  return head + ":\n" + tail;
}

}  // namespace

std::string LastLines(std::string_view text, int max_lines, size_t max_bytes) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  if (max_lines <= 0 || max_bytes == 0) return "";
  size_t kept = text.size();  // the lines kept start here
  size_t pos = text.size();   // the line before it ends here (at a '\n', or the end)
  int lines = 0;
  while (pos > 0 && lines < max_lines) {
    size_t nl = text.rfind('\n', pos - 1);
    size_t line_start = nl == std::string_view::npos ? 0 : nl + 1;
    if (text.size() - line_start > max_bytes) break;  // this line does not fit whole
    kept = line_start;
    ++lines;
    if (nl == std::string_view::npos) break;
    pos = nl;
  }
  if (lines == 0) return std::string(TailBytes(text, max_bytes));  // one long last line
  return std::string(text.substr(kept));
}

std::string VerifyFailureText(std::optional<int> exit_code, std::optional<int> signal,
                              std::optional<double> timed_out_after_s, std::string_view stdout_tail,
                              std::string_view stderr_tail) {
  std::string head = "verify command ";
  if (timed_out_after_s) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%g", *timed_out_after_s);
    head += "timed out after " + std::string(seconds) + " s";
  }
  else if (exit_code)
    head += "exited with code " + std::to_string(*exit_code);
  else
    head += "killed by signal " + (signal ? std::to_string(*signal) : std::string("?"));
  std::string output(stdout_tail);
  while (!output.empty() && output.back() == '\n') output.pop_back();
  if (!output.empty() && !stderr_tail.empty()) output += '\n';
  output += stderr_tail;
  return WithTail(std::move(head), output);
}

std::string SummarizeFailure(const Attempt& attempt, std::string_view stderr_tail) {
  if (!attempt.outcome || *attempt.outcome == AttemptOutcome::kSucceeded) return "";
  std::string head = "attempt " + std::to_string(attempt.number) + " " + ToString(*attempt.outcome);
  if (!attempt.error.empty()) head += ": " + attempt.error;
  // A verifier's output is already in its error; the command's stderr would only crowd it out.
  if (*attempt.outcome == AttemptOutcome::kVerifyFailed)
    return std::string(TailBytes(head, kFailureSummaryMaxBytes));
  return WithTail(std::move(head), stderr_tail);
}

}  // namespace baton
