#include "server/front_end.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "base/parse_number.h"
#include "base/random_id.h"
#include "storage/job_options.h"

namespace baton {

std::string SelfExecutable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "baton" : p.string();
}

std::string LocalUser() {
  if (passwd* pw = getpwuid(getuid()); pw && pw->pw_name) return pw->pw_name;
  return "uid:" + std::to_string(getuid());
}

Result<std::unique_ptr<FrontEnd>> FrontEnd::Open(const FrontEndOptions& o) {
  std::unique_ptr<FrontEnd> fe(new FrontEnd());
  BATON_ASSIGN_OR_RETURN(fe->paths_, ResolveStatePaths(o.db_path.empty() ? DefaultDbPath() : o.db_path));
  StoreOptions store_options;
  store_options.synchronous_full = o.synchronous_full;
  if (o.idempotency_window_ms) {
    store_options.idempotency_window_ms = *o.idempotency_window_ms;
  } else if (const char* w = std::getenv("BATON_IDEMPOTENCY_WINDOW"); w && *w) {
    BATON_ASSIGN_OR_RETURN(double s, ParseDouble(w, "BATON_IDEMPOTENCY_WINDOW (seconds)", 0,
                                                 kMaxIdempotencyWindowSeconds));
    store_options.idempotency_window_ms = static_cast<int64_t>(s * 1000);
  }
  BATON_ASSIGN_OR_RETURN(fe->store_, JobStore::Open(fe->paths_.db, store_options));
  RunnerLaunch launch{SelfExecutable(), o.runner_args, o.spawn_runner};
  fe->control_ = std::make_unique<RunnerControl>(fe->paths_, launch);
  fe->watcher_ = std::make_unique<JobWatcher>(*fe->store_);
  BATON_RETURN_IF_ERROR(fe->watcher_->Start(fe->paths_.bell_prefix + std::to_string(getpid()) +
                                            "-" + RandomHexId(4)));
  ServiceOptions so;
  std::error_code ec;
  so.base_cwd = o.cwd.empty() ? std::filesystem::current_path(ec).string() : o.cwd;
  if (o.max_wait_ms) so.max_wait_ms = *o.max_wait_ms;
  if (o.progress_interval_ms) so.progress_interval_ms = *o.progress_interval_ms;
  so.templates = o.templates;
  fe->service_ = std::make_unique<JobService>(*fe->store_, *fe->control_, *fe->watcher_,
                                              SystemClock::Instance(), so);
  // One connection for jobs and decisions: a decision commits with the job it allowed.
  fe->decisions_ = DecisionLog::Share(fe->store_->connection());
  BATON_ASSIGN_OR_RETURN(fe->guard_, PolicyGuard::Create(*fe->store_, *fe->decisions_,
                                                         SystemClock::Instance(), o.policy));
  // Chain steps and retried specs are checked as jobs (server/jobs/job_check.h).
  fe->service_->SetJobChecker(fe->guard_.get());
  // Work left behind (a runner that crashed, a delayed job) gets a runner now.
  auto work = fe->store_->HasUnfinishedWork();
  if (work.ok() && *work && o.spawn_runner) (void)fe->control_->Wake();
  // ... and one killed later is replaced while clients only read.
  if (o.spawn_runner)
    fe->supervisor_ = std::make_unique<RunnerSupervisor>(*fe->store_, *fe->control_,
                                                         fe->paths_.runner_lock,
                                                         o.supervise_period_ms);
  return fe;
}

Result<JobFeed*> FrontEnd::feed() {
  std::lock_guard<std::mutex> lock(feed_mu_);
  if (!feed_) {
    auto feed = std::make_unique<JobFeed>(*store_, *watcher_);
    BATON_RETURN_IF_ERROR(feed->Start());
    feed_ = std::move(feed);
  }
  return feed_.get();
}

FrontEnd::~FrontEnd() {
  supervisor_.reset();  // it uses the store and the runner control
  if (feed_) feed_->Shutdown();  // before the watcher it sleeps on
  guard_.reset();
  if (watcher_) watcher_->Shutdown();
}

}  // namespace baton
