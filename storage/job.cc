#include "storage/job.h"

#include <array>
#include <string_view>
#include <utility>

namespace baton {

namespace {
constexpr std::array<std::pair<JobState, const char*>, 8> kStateNames = {{
    {JobState::kPending, "pending"},
    {JobState::kQueued, "queued"},
    {JobState::kRunning, "running"},
    {JobState::kSucceeded, "succeeded"},
    {JobState::kFailed, "failed"},
    {JobState::kDead, "dead"},
    {JobState::kCancelled, "cancelled"},
    {JobState::kSkipped, "skipped"},
}};
}  // namespace

const char* ToString(JobState state) {
  for (const auto& [s, name] : kStateNames)
    if (s == state) return name;
  return "unknown";
}

std::optional<JobState> JobStateFromString(std::string_view s) {
  for (const auto& [state, name] : kStateNames)
    if (s == name) return state;
  return std::nullopt;
}

bool IsTerminal(JobState state) {
  switch (state) {
    case JobState::kSucceeded:
    case JobState::kFailed:
    case JobState::kDead:
    case JobState::kCancelled:
    case JobState::kSkipped:
      return true;
    default:
      return false;
  }
}

const char* ToString(DepCondition c) {
  switch (c) {
    case DepCondition::kSuccess: return "success";
    case DepCondition::kFailure: return "failure";
    case DepCondition::kAlways: return "always";
  }
  return "success";
}

const char* ToString(AttemptOutcome o) {
  switch (o) {
    case AttemptOutcome::kSucceeded: return "succeeded";
    case AttemptOutcome::kFailed: return "failed";
    case AttemptOutcome::kSignaled: return "signaled";
    case AttemptOutcome::kTimeout: return "timeout";
    case AttemptOutcome::kInactivityTimeout: return "inactivity_timeout";
    case AttemptOutcome::kCancelled: return "cancelled";
    case AttemptOutcome::kLost: return "lost";
    case AttemptOutcome::kSpawnError: return "spawn_error";
    case AttemptOutcome::kDenied: return "denied";
    case AttemptOutcome::kExpansionDenied: return "expansion_denied";
    case AttemptOutcome::kOutputError: return "output_error";
    case AttemptOutcome::kVerifyFailed: return "verify_failed";
  }
  return "failed";
}

std::optional<AttemptOutcome> AttemptOutcomeFromString(std::string_view s) {
  for (int i = 0; i <= static_cast<int>(AttemptOutcome::kVerifyFailed); ++i)
    if (s == ToString(static_cast<AttemptOutcome>(i))) return static_cast<AttemptOutcome>(i);
  return std::nullopt;
}

}  // namespace baton
