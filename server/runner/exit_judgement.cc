#include "server/runner/exit_judgement.h"

#include <string.h>

#include "server/runner/failure_summary.h"

namespace baton {

ExitJudgement JudgeExit(const AttemptExit& e, const JobSpec& spec,
                        const std::string& cancel_reason) {
  ExitJudgement j;
  if (e.stopped_for) {
    j.outcome = *e.stopped_for;
    if (j.outcome == AttemptOutcome::kTimeout)
      j.error = "timed out after " + std::to_string(static_cast<long>(spec.timeout_s)) + " s";
    else if (j.outcome == AttemptOutcome::kInactivityTimeout)
      j.error =
          "no output for " + std::to_string(static_cast<long>(spec.inactivity_timeout_s)) + " s";
    else if (j.outcome == AttemptOutcome::kLost)
      j.error = "the runner shut down while the job ran";
    else
      j.error = cancel_reason.empty() ? "cancelled by request" : cancel_reason;
  } else if (e.exit_code) {
    j.outcome = *e.exit_code == 0 ? AttemptOutcome::kSucceeded : AttemptOutcome::kFailed;
    if (*e.exit_code != 0) j.error = "exited with code " + std::to_string(*e.exit_code);
  } else {
    j.outcome = AttemptOutcome::kSignaled;
    j.error = std::string("killed by signal ") + (e.signal ? strsignal(*e.signal) : "?");
  }
  // Output that did not reach its file (disk full, I/O error) is never a clean success: a
  // follow-up would read a truncated file. A stop by baton stays the outcome, with the loss said.
  if (!e.output_error.empty()) {
    std::string ran = j.error.empty() ? "the command exited with code 0" : "the command " + j.error;
    if (e.stopped_for) {
      j.error += "; " + e.output_error;
    } else {
      j.outcome = AttemptOutcome::kOutputError;
      j.error = e.output_error + " (" + ran + ")";
    }
  }
  return j;
}

ExitJudgement JudgeVerify(const AttemptExit& e, double timeout_s,
                          const std::string& cancel_reason) {
  ExitJudgement j;
  bool timed_out = e.stopped_for == AttemptOutcome::kTimeout;
  if (e.stopped_for && !timed_out) {  // cancelled, or lost at shutdown: not the verifier's verdict
    j.outcome = *e.stopped_for;
    j.error = j.outcome == AttemptOutcome::kLost ? "the runner shut down while the verifier ran"
              : cancel_reason.empty()           ? "cancelled by request"
                                                : cancel_reason;
    return j;
  }
  if (!timed_out && e.exit_code == 0) {
    j.outcome = AttemptOutcome::kSucceeded;
    return j;
  }
  j.outcome = AttemptOutcome::kVerifyFailed;
  j.error = VerifyFailureText(e.exit_code, e.signal, timed_out ? std::optional(timeout_s) : std::nullopt,
                              e.stdout_tail, e.stderr_tail);
  return j;
}

}  // namespace baton
