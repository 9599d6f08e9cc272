#include "server/cli/terminal_progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace baton {

std::string ElapsedText(int64_t ms) {
  ms = std::max<int64_t>(ms, 0);
  char buf[32];
  if (ms < 60000) {
    std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms) / 1000.0);
  } else if (ms < 3600000) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(ms / 60000),
                  static_cast<long long>(ms / 1000 % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(ms / 3600000),
                  static_cast<long long>(ms / 60000 % 60));
  }
  return buf;
}

std::string JobProgressText(const Job& job, int64_t now_ms) {
  std::string text = "job " + std::to_string(job.id) + " " + ToString(job.state);
  const int max_attempts = job.spec.retry.max_attempts;
  const int counted = job.attempt - job.attempt_base;  // the attempts the retry policy counts
  switch (job.state) {
    case JobState::kPending:
      if (job.run_at_ms > now_ms) text += ", runs in " + ElapsedText(job.run_at_ms - now_ms);
      if (counted > 0)
        text += " (attempt " + std::to_string(counted + 1) + " of " +
                std::to_string(max_attempts) + " next)";
      break;
    case JobState::kRunning:
      if (job.started_ms) text += " " + ElapsedText(now_ms - *job.started_ms);
      if (max_attempts > 1)
        text += " (attempt " + std::to_string(counted) + " of " + std::to_string(max_attempts) + ")";
      if (job.cancel_requested) text += ", cancelling";
      break;
    default:
      if (job.exit_code) text += " (exit " + std::to_string(*job.exit_code) + ")";
      else if (job.signal) text += " (signal " + std::to_string(*job.signal) + ")";
      if (job.started_ms && IsTerminal(job.state))
        text += " after " + ElapsedText(job.finished_ms.value_or(job.updated_ms) - *job.started_ms);
      if (!job.error.empty() && job.state != JobState::kSucceeded) {
        std::string why = job.error.substr(0, job.error.find('\n'));
        text += ": " + why;
      }
      break;
  }
  return text;
}

bool ProgressLine::WantedHere() {
  const char* term = std::getenv("TERM");
  if (term && std::strcmp(term, "dumb") == 0) return false;
  return isatty(STDOUT_FILENO) == 1 && isatty(STDERR_FILENO) == 1;
}

void ProgressLine::Show(const std::string& text) {
  if (!enabled_) return;
  std::string line = text;
  struct winsize ws {};
  if (ioctl(fileno(out_), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && line.size() >= ws.ws_col)
    line.resize(ws.ws_col - 1);  // the cursor stays on this row
  // Carriage return, erase to the end of the line, then the text: one redraw, no flicker.
  std::fprintf(out_, "\r\033[K%s", line.c_str());
  std::fflush(out_);
  shown_ = true;
}

void ProgressLine::Clear() {
  if (!enabled_ || !shown_) return;
  std::fputs("\r\033[K", out_);
  std::fflush(out_);
  shown_ = false;
}

void ProgressLine::Finish(const std::string& text) {
  if (!enabled_) return;
  Show(text);
  std::fputc('\n', out_);
  std::fflush(out_);
  shown_ = false;
}

}  // namespace baton
