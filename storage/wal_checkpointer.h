// storage/wal_checkpointer.h
//
// Moves SQLite's WAL checkpoints off the paths that answer requests and start jobs. By default
// SQLite checkpoints inside whichever commit pushes the WAL past 1,000 pages, and a checkpoint
// syncs the database file: every hundredth enqueue or claim or so took milliseconds longer (the
// p99 of scenario 3 in bench/README.md). Db::Open turns that automatic checkpoint off on every
// connection; the runner process runs one WalCheckpointer, whose thread checkpoints (PASSIVE:
// never waits for readers or writers) on its own connection every interval. Without a runner the
// WAL is checkpointed when the last connection closes, as SQLite always does. Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/result.h"

namespace baton::storage {
class Db;
}

namespace baton {

class WalCheckpointer {
 public:
  // Opens its own connection to `db_path` and starts the thread.
  static Result<std::unique_ptr<WalCheckpointer>> Start(const std::string& db_path,
                                                        int interval_ms = 1000);
  ~WalCheckpointer();  // Shutdown()
  // Stops the thread after one last checkpoint. Idempotent.
  void Shutdown();

 private:
  WalCheckpointer() = default;
  void Loop(int interval_ms);
  std::unique_ptr<storage::Db> db_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace baton
