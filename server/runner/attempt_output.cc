#include "server/runner/attempt_output.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>

#include "storage/fault_plan.h"
#include "storage/job_options.h"

namespace baton {

namespace {

// Writes all of [data, data + n) to fd; "" or the system's reason. `point` names the write for
// fault injection (storage/fault_plan.h).
std::string WriteAll(int fd, const char* data, size_t n, std::string_view point) {
  if (storage::InjectFault(point)) return strerror(EIO);
  while (n > 0) {
    ssize_t w = write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return strerror(errno);
    if (w == 0) return "the file took no bytes";
    data += w;
    n -= static_cast<size_t>(w);
  }
  return "";
}

}  // namespace

std::string OutputNotWritten(const std::string& path, const std::string& reason) {
  return "output could not be written: " + path + ": " + reason;
}

AttemptOutput::~AttemptOutput() {
  if (pipe_fd >= 0) close(pipe_fd);
  if (file_fd >= 0) close(file_fd);
}

Status AttemptOutput::OpenFile(const std::string& file_path) {
  path = file_path;
  if (storage::InjectFault("log.open"))
    return Status::Unavailable(OutputNotWritten(path, strerror(EIO)));
  file_fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (file_fd < 0) return Status::Unavailable(OutputNotWritten(path, strerror(errno)));
  return Status::OK();
}

void AttemptOutput::Append(const char* data, size_t n) {
  if (file_fd >= 0 && write_error.empty() && bytes < kOutputFileCapBytes) {
    size_t room = static_cast<size_t>(kOutputFileCapBytes - bytes);
    std::string failed = WriteAll(file_fd, data, std::min(n, room), "log.write");
    if (!failed.empty()) write_error = OutputNotWritten(path, failed);
  }
  bytes += static_cast<long>(n);
  tail.append(data, n);
  if (tail.size() > 2 * static_cast<size_t>(kOutputTailBytes))
    tail.erase(0, tail.size() - kOutputTailBytes);
}

void AttemptOutput::CloseFile() {
  if (file_fd < 0) return;
  if (close(file_fd) != 0 && write_error.empty()) write_error = OutputNotWritten(path, strerror(errno));
  file_fd = -1;
}

Status WriteNewFile(const std::string& path, std::string_view data) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable(path + ": " + strerror(errno));
  std::string failed = WriteAll(fd, data.data(), data.size(), "stdin.write");
  if (close(fd) != 0 && failed.empty()) failed = strerror(errno);
  if (!failed.empty()) return Status::Unavailable(path + ": " + failed);
  return Status::OK();
}

}  // namespace baton
