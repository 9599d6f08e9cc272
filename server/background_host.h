// server/background_host.h
//
// BackgroundHost builds and owns what works behind a baton process's requests over one database:
// the runner (claims and executes jobs), its store connection, the policy check of the jobs the
// runner creates, the event drainer (outbox → NATS JetStream), the WAL checkpointer, and parts
// added with AddPart (the front-end's policy reloader: anything with `Status Start()` and
// `void Shutdown()`).
// `serve --stdio`, `serve --http` and `runner` each own one; FrontEnd (server/front_end.h) is
// the other half of a serving process, and the host outlives it.
//
// Whether it hosts the runner (RunnerHosting):
//   kNone        serve --stdio and serve --http: front-ends start a detached runner on demand,
//                which outlives the service (stopping or restarting it takes no job down); the
//                host holds only parts.
//   kForeground  baton runner: takes the lock, waiting lock_wait_ms, and runs the loop on the
//                caller's thread in Run(); when another runner keeps the lock there is nothing
//                to do (hosts_runner() false).
//
// Start order (Start; each step only after the one before succeeded):
//   1. the runner's policy (compiled; its reloader is the first part) and the parts, in the
//      order added: every check the runner makes sees a loaded policy;
//   2. the runner lock (Runner::Acquire: recovers the attempts a dead runner left open);
//   3. the WAL checkpointer (the runner's process checkpoints, storage/wal_checkpointer.h);
//   4. the event drainer (with --nats), woken at once whenever the runner wrote events;
//   5. the runner loop, on the caller's thread in Run().
// Shutdown order (Shutdown, idempotent; also the destructor):
//   1. the runner loop stops and is joined: jobs still running are stopped and recorded lost
//      (retried per policy) — the last events are written;
//   2. the drainer flushes the outbox (at most kDrainBeforeExitMs) and stops, so those events
//      reach NATS now rather than when the next runner starts (issue 5);
//   3. the WAL checkpointer's last checkpoint;
//   4. the parts, in reverse order;
//   5. (destructor) the runner (its lock is released), its policy, the store.
//
// Thread-safety: Start, Run, AddPart and Shutdown from one thread; StopSoon() from any thread or
// a signal handler.
#pragma once

#include <atomic>
#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "server/events/event_drainer.h"
#include "server/guard/runner_policy.h"
#include "server/jobs/state_paths.h"
#include "server/runner/runner.h"
#include "storage/job_store.h"
#include "storage/wal_checkpointer.h"

namespace baton {

enum class RunnerHosting { kNone, kForeground };
// Whether a part that does not start stops the host from starting (a policy reloader does not:
// without it, policy changes take a restart).
enum class PartNeed { kRequired, kOptional };

struct BackgroundHostOptions {
  std::string db_path;  // empty: DefaultDbPath()
  RunnerHosting hosting = RunnerHosting::kNone;
  int lock_wait_ms = 500;
  // concurrency, idle exit, retention...; job_checker and on_events are the host's to set.
  RunnerOptions runner;
  PolicyOptions policy;             // the check of jobs the runner creates (server/guard/runner_policy.h)
  std::optional<NatsOptions> nats;  // unset: events stay in the outbox (no drainer)
};

// What AddPart takes: a background part with a fallible start and an idempotent shutdown (the
// policy reloader has exactly this shape).
template <typename T>
concept StartsAndShutsDown = requires(T& part) {
  { part.Start() } -> std::convertible_to<Status>;
  part.Shutdown();
};

class BackgroundHost {
 public:
  // Resolves the state paths and, when it may host the runner, opens its store connection.
  // Errors are the database's (a command exits 1 on them).
  static Result<std::unique_ptr<BackgroundHost>> Open(BackgroundHostOptions options);
  ~BackgroundHost();  // Shutdown()
  BackgroundHost(const BackgroundHost&) = delete;
  BackgroundHost& operator=(const BackgroundHost&) = delete;

  // A part started in order (step 1; at once when the host is already started) and shut down in
  // reverse (step 4). Not owned: it must outlive the host's Shutdown(). The error is its Start's.
  // A kOptional part that does not start is logged and left out; a kRequired one fails Start.
  template <StartsAndShutsDown T>
  Status AddPart(std::string name, T& part, PartNeed need = PartNeed::kRequired) {
    return AddPart(Part{std::move(name), need, [&part] { return Status(part.Start()); },
                        [&part] { part.Shutdown(); }});
  }
  // The same, sharing ownership: the part lives at least as long as the host.
  template <StartsAndShutsDown T>
  Status AddPart(std::string name, std::shared_ptr<T> part, PartNeed need = PartNeed::kRequired) {
    return AddPart(SharedPart(std::move(name), std::move(part), need));
  }

  // Steps 1-5 of the start order. An error is a part, the policy or the drainer that did not
  // start (a command exits 2 on it); what did start is shut down again. A runner lock held by
  // another runner is no error: it is logged and hosts_runner() is false.
  Status Start();
  // kForeground: runs the runner loop on the calling thread until StopSoon() or the idle exit.
  // Returns at once when no runner is hosted.
  void Run();
  // Asks the runner loop to stop. Async-signal-safe and idempotent; Shutdown() still follows.
  void StopSoon();
  // The shutdown order above. Idempotent.
  void Shutdown();

  bool hosts_runner() const { return runner_ != nullptr; }
  const StatePaths& paths() const { return paths_; }
  // Empty when no runner is hosted.
  std::string runner_id() const { return runner_ ? runner_->id() : ""; }

 private:
  struct Part {
    std::string name;
    PartNeed need;
    std::function<Status()> start;
    std::function<void()> shutdown;
    bool started = false;
  };
  template <StartsAndShutsDown T>
  static Part SharedPart(std::string name, std::shared_ptr<T> part, PartNeed need) {
    return Part{std::move(name), need, [part] { return Status(part->Start()); },
                [part] { part->Shutdown(); }};
  }
  explicit BackgroundHost(BackgroundHostOptions options) : options_(std::move(options)) {}
  Status AddPart(Part part);
  Status StartPart(Part& part);
  Status StartParts();
  Status TakeRunnerLock();

  BackgroundHostOptions options_;
  StatePaths paths_;
  bool started_ = false, shut_down_ = false;
  // Declared before the runner, which calls it from its thread until it is destroyed.
  std::atomic<EventDrainer*> drainer_to_wake_{nullptr};
  std::unique_ptr<JobStore> store_;
  RunnerPolicy policy_;
  std::unique_ptr<Runner> runner_;
  std::unique_ptr<WalCheckpointer> checkpointer_;
  std::unique_ptr<EventDrainer> drainer_;
  std::vector<Part> parts_;
};

}  // namespace baton
