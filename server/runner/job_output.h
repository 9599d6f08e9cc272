// server/runner/job_output.h
//
// Reading what a finished job produced: its latest attempt's output files, bounded, for chained
// jobs' placeholders ({{prev.stdout}}, {{steps.NAME.exit_code}}) and for recovering the tail of
// a lost attempt. Not thread-safe (one per job being started).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "base/result.h"
#include "server/jobs/placeholders.h"
#include "storage/job_store.h"

namespace baton {

// The last `max_bytes` of a file ("" when it cannot be read).
std::string ReadFileTail(const std::string& path, long max_bytes = kOutputTailBytes);
// The first `max_bytes` of a file.
std::string ReadFileHead(const std::string& path, long max_bytes);

class JobOutputResolver {
 public:
  // `job` is the job about to start; its predecessor is its first dependency.
  JobOutputResolver(JobStore& store, const Job& job);

  // The value of a placeholder; InvalidArgument when it names no predecessor or step.
  Result<std::string> Value(const PlaceholderRef& ref);
  // {{last_error}} at the start of `attempt`: the summary of attempt - 1's failure
  // (server/runner/failure_summary.h); "" for the first attempt or after a success.
  Result<std::string> LastError(int attempt);
  // Path of the predecessor's stdout file ("" without a predecessor).
  std::string PrevOutputPath();

 private:
  struct Source {
    Job job;
    std::string stdout_path, stderr_path;
  };
  Result<const Source*> Load(const std::string& step);

  JobStore& store_;
  const Job& job_;
  std::map<std::string, Source> cache_;  // "" = prev
};

}  // namespace baton
