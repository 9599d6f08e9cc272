// server/metrics/request_tally.h
//
// RequestTally counts the MCP requests a process answers (RequestObserver, server/mcp/
// mcp_server.h) in memory and adds them to the database's metric_counters every second and at
// Shutdown, so that baton_mcp_requests_total agrees across processes and restarts. A process
// killed with SIGKILL loses at most the last second of its counts. A failed flush keeps its
// counts for the next one.
// Thread-safe. Start() once; Shutdown() is idempotent and flushes.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "server/mcp/mcp_server.h"
#include "storage/metrics_store.h"

namespace baton {

class RequestTally final : public RequestObserver {
 public:
  explicit RequestTally(MetricsStore& store) : store_(store) {}
  ~RequestTally() override;  // Shutdown()

  void Answered(const std::string& transport, const std::string& method,
                const char* outcome) override;

  void Start();     // the flushing thread
  void Shutdown();  // stops it and flushes what is left
  // Adds the counts gathered so far to the database (what a scrape calls first).
  Status Flush();

 private:
  MetricsStore& store_;
  std::mutex mu_;
  std::condition_variable cv_;
  CounterDeltas pending_;
  bool stopping_ = false;
  std::thread thread_;
  std::mutex flush_mu_;  // one flush at a time, so that counts are never added twice
};

}  // namespace baton
