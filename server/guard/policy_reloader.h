// server/guard/policy_reloader.h
//
// Watches a policy directory (inotify) on its own thread and calls `reload` once each burst of
// changes has settled (editors write in several steps). What a reload does with a set that does
// not compile is the callee's business (NativePolicyBackend::Reload keeps the old one).
// Start/Shutdown are called from one thread (the owner's); `reload` runs on the watcher thread.
#pragma once

#include <functional>
#include <string>
#include <thread>

#include "base/status.h"

namespace baton {

class PolicyReloader {
 public:
  PolicyReloader(std::string dir, std::function<void()> reload);
  ~PolicyReloader();  // Shutdown()

  // Starts watching. Unavailable when the directory cannot be watched (then nothing runs and
  // changes take a restart).
  Status Start();
  // Stops the watcher and waits for it (a reload in progress finishes first). Idempotent.
  void Shutdown();

 private:
  void Watch();

  const std::string dir_;
  const std::function<void()> reload_;
  int inotify_fd_ = -1;
  int stop_fd_ = -1;
  std::thread watcher_;
};

}  // namespace baton
