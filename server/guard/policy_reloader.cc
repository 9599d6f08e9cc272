#include "server/guard/policy_reloader.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace baton {

namespace {
// How long a burst of changes must be quiet before the directory is compiled.
constexpr int kSettleMs = 150;
}  // namespace

PolicyReloader::PolicyReloader(std::string dir, std::function<void()> reload)
    : dir_(std::move(dir)), reload_(std::move(reload)) {}

PolicyReloader::~PolicyReloader() { Shutdown(); }

Status PolicyReloader::Start() {
  if (watcher_.joinable()) return Status::OK();
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  inotify_fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (stop_fd_ < 0 || inotify_fd_ < 0 ||
      inotify_add_watch(inotify_fd_, dir_.c_str(),
                        IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE) < 0) {
    Status why = Status::Unavailable("cannot watch " + dir_ + ": " + std::strerror(errno));
    Shutdown();
    return why;
  }
  watcher_ = std::thread([this] { Watch(); });
  return Status::OK();
}

void PolicyReloader::Shutdown() {
  if (stop_fd_ >= 0) {
    uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof one);
  }
  if (watcher_.joinable()) watcher_.join();
  if (inotify_fd_ >= 0) close(inotify_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
  inotify_fd_ = stop_fd_ = -1;
}

void PolicyReloader::Watch() {
  char buf[4096];
  while (true) {
    pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[0].revents) return;
    if (fds[1].revents) {
      while (read(inotify_fd_, buf, sizeof buf) > 0) {
      }
      // Let the burst settle, then compile once.
      pollfd stop{stop_fd_, POLLIN, 0};
      if (poll(&stop, 1, kSettleMs) > 0) return;
      while (read(inotify_fd_, buf, sizeof buf) > 0) {
      }
      reload_();
    }
  }
}

}  // namespace baton
