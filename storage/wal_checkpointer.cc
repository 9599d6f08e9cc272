#include "storage/wal_checkpointer.h"

#include "storage/sqlite_db.h"

namespace baton {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(const std::string& db_path,
                                                                int interval_ms) {
  std::unique_ptr<WalCheckpointer> c(new WalCheckpointer());
  BATON_ASSIGN_OR_RETURN(c->db_, storage::Db::Open(db_path, false));
  c->thread_ = std::thread([p = c.get(), interval_ms] { p->Loop(interval_ms); });
  return c;
}

WalCheckpointer::~WalCheckpointer() { Shutdown(); }

void WalCheckpointer::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WalCheckpointer::Loop(int interval_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait_for(lock, std::chrono::milliseconds(interval_ms), [this] { return stop_; });
    // A failed checkpoint (busy) is simply tried again next time.
    (void)db_->Exec("PRAGMA wal_checkpoint(PASSIVE)");
    if (stop_) return;
  }
}

}  // namespace baton
