#include "server/background_host.h"

#include <spdlog/spdlog.h>

#include "base/clock.h"

namespace baton {

Result<std::unique_ptr<BackgroundHost>> BackgroundHost::Open(BackgroundHostOptions options) {
  std::unique_ptr<BackgroundHost> host(new BackgroundHost(std::move(options)));
  const BackgroundHostOptions& o = host->options_;
  BATON_ASSIGN_OR_RETURN(host->paths_,
                         ResolveStatePaths(o.db_path.empty() ? DefaultDbPath() : o.db_path));
  // The runner's own connection: its claims and records never queue behind a front-end's.
  if (o.hosting != RunnerHosting::kNone) {
    BATON_ASSIGN_OR_RETURN(host->store_, JobStore::Open(host->paths_.db));
  }
  return host;
}

BackgroundHost::~BackgroundHost() { Shutdown(); }

Status BackgroundHost::AddPart(Part part) {
  parts_.push_back(std::move(part));
  if (!started_) return Status::OK();
  return StartPart(parts_.back());
}

Status BackgroundHost::StartPart(Part& p) {
  Status s = p.start();
  if (s.ok()) {
    p.started = true;
    return s;
  }
  if (p.need == PartNeed::kRequired) return Status(s.code(), p.name + ": " + s.ToString());
  spdlog::warn("{}: {}; going on without it", p.name, s.ToString());
  return Status::OK();
}

Status BackgroundHost::StartParts() {
  for (Part& p : parts_) {
    if (p.started) continue;
    BATON_RETURN_IF_ERROR(StartPart(p));
  }
  return Status::OK();
}

Status BackgroundHost::TakeRunnerLock() {
  RunnerOptions ro = options_.runner;
  ro.job_checker = policy_.guard.get();  // jobs the runner creates pass the same policy
  ro.on_events = [this] {
    if (EventDrainer* d = drainer_to_wake_.load()) d->Wake();
  };
  auto runner = std::make_unique<Runner>(*store_, paths_, ro, SystemClock::Instance());
  Status acquired = runner->Acquire(options_.lock_wait_ms);
  if (!acquired.ok()) {
    spdlog::info("{}; exiting", acquired.message());
    return acquired;
  }
  runner_ = std::move(runner);
  return Status::OK();
}

Status BackgroundHost::Start() {
  if (started_) return Status::OK();
  started_ = true;
  const bool may_host = options_.hosting != RunnerHosting::kNone;
  // 1. the runner's policy and the parts.
  if (may_host) {
    auto policy = OpenRunnerPolicy(*store_, paths_.db, options_.policy);
    if (!policy.ok()) return Status(policy.status().code(), "policy: " + policy.status().ToString());
    policy_ = std::move(policy).value();
    if (auto reloader = policy_.guard->reloader())
      parts_.insert(parts_.begin(),
                    SharedPart("runner policy reloader", std::move(reloader), PartNeed::kOptional));
  }
  if (Status s = StartParts(); !s.ok()) {
    Shutdown();
    return s;
  }
  // 2. the runner lock; another runner keeping it is no error.
  if (!may_host || !TakeRunnerLock().ok()) return Status::OK();
  // 3. WAL checkpoints off the claim/commit paths.
  if (auto c = WalCheckpointer::Start(paths_.db); c.ok())
    checkpointer_ = std::move(c).value();
  else
    spdlog::warn("wal checkpoints: {}", c.status().ToString());
  // 4. events reach NATS JetStream through the outbox; job execution never waits on it.
  if (options_.nats) {
    auto started = StartEventDrainer(*store_, *options_.nats);
    if (!started.ok()) {
      Shutdown();
      return Status(started.status().code(), "events: " + started.status().ToString());
    }
    drainer_ = std::move(started).value();
    drainer_to_wake_.store(drainer_.get());
    spdlog::info("publishing events to {}", options_.nats->url);
  }
  // 5. the runner loop: Run().
  return Status::OK();
}

void BackgroundHost::Run() {
  if (runner_) runner_->Run();
}

void BackgroundHost::StopSoon() {
  if (runner_) runner_->Shutdown();
}

void BackgroundHost::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  // 1. the runner loop: nothing writes events after it.
  if (runner_) {
    runner_->Shutdown();
    runner_->Join();
  }
  drainer_to_wake_.store(nullptr);
  // 2. the outbox, flushed: the last job's end was written just before the stop.
  if (drainer_) {
    if (!drainer_->Flush(kDrainBeforeExitMs))
      spdlog::warn("events: outbox not drained within {} ms before exit (NATS unreachable?); the "
                   "next runner sends the rest", kDrainBeforeExitMs);
    drainer_->Shutdown();
  }
  // 3. the last checkpoint.
  if (checkpointer_) checkpointer_->Shutdown();
  // 4. the parts, in reverse.
  for (auto it = parts_.rbegin(); it != parts_.rend(); ++it)
    if (it->started) {
      it->shutdown();
      it->started = false;
    }
}

}  // namespace baton
