// server/runner/exit_judgement.h
//
// How the runner judges an attempt that ran: from what its executor saw (exit code, signal,
// why baton stopped it, whether its output was kept) to the outcome recorded and the error a
// user reads. Output that did not reach its file is never a clean success (docs/guarantees.md,
// "When storage fails"). Pure.
#pragma once

#include <string>

#include "server/runner/executor.h"
#include "storage/job.h"

namespace baton {

struct ExitJudgement {
  AttemptOutcome outcome = AttemptOutcome::kFailed;
  std::string error;  // "" for a success
};

// `cancel_reason` is what a cancelled attempt says ("" gives "cancelled by request").
ExitJudgement JudgeExit(const AttemptExit& exit, const JobSpec& spec,
                        const std::string& cancel_reason);

// How the verifier of an attempt whose command exited 0 ended: kSucceeded on its exit 0;
// kVerifyFailed (its error the verifier's last lines, server/runner/failure_summary.h) on a
// non-zero exit, a signal or its `timeout_s`; a cancel or the runner's shutdown as JudgeExit says.
ExitJudgement JudgeVerify(const AttemptExit& exit, double timeout_s,
                          const std::string& cancel_reason);

}  // namespace baton
