// server/runner/attempt_output.h
//
// One output stream (stdout or stderr) of a running attempt: the pipe the runner reads, the
// capped file under logs/<job>/<attempt>.out|.err it copies the bytes to, the tail kept for
// `status`, and the first error that writing the file met (a full disk, an I/O error). The
// runner ends an attempt whose output was not kept as `output_error`, never as a clean success
// (docs/guarantees.md, "When storage fails"). Owned by the runner thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace baton {

struct AttemptOutput {
  AttemptOutput() = default;
  ~AttemptOutput();  // closes what is still open (an attempt that never started)
  AttemptOutput(const AttemptOutput&) = delete;
  AttemptOutput& operator=(const AttemptOutput&) = delete;

  int pipe_fd = -1;
  int file_fd = -1;
  std::string path;
  long bytes = 0;  // all the stream produced, kept or beyond the file cap
  std::string tail;
  std::string write_error;  // empty while every byte up to the cap reached the file

  // Opens (creating, truncating) the file. Unavailable with OutputNotWritten(...) when it cannot.
  Status OpenFile(const std::string& file_path);
  // Copies to the file (up to the cap) and the tail. After a write error the file is left as it
  // is and only the tail grows.
  void Append(const char* data, size_t n);
  // Closes the file; a failing close (a delayed write error) counts as a write error too.
  void CloseFile();
};

// "output could not be written: <path>: <reason>": what an attempt whose output was lost says.
std::string OutputNotWritten(const std::string& path, const std::string& reason);

// Writes `data` to a new file at `path` (an attempt's stdin), replacing any; the Status names
// the path and the system's reason.
Status WriteNewFile(const std::string& path, std::string_view data);

}  // namespace baton
