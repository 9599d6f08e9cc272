// storage/metrics_store.h
//
// MetricsStore reads what /metrics reports from the job database: the totals that triggers keep
// in the transaction of each change (migration 5: job counts by queue and state, finished jobs,
// policy decisions, the event outbox's size, duration and queue-wait histograms), a few cheap
// gauges (paused queues, the oldest queued job of each queue), and adds request counts that the MCP
// layer tallies in memory. Every read is bounded by the number of queues, not of jobs: a scrape
// costs the same on a database of one million jobs (docs/metrics.md, "Cost").
// Opens its own connection, so that a scrape never waits on the job store's mutex.
// Thread-safe: one connection, serialized by a mutex.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "base/result.h"

namespace baton::storage {
class Db;
}

namespace baton {

struct MetricsSnapshot {
  struct JobCount {
    std::string queue, state;
    int64_t n = 0;
  };
  struct Counter {  // a row of metric_counters; the family decides what l1..l3 mean
    std::string family, l1, l2, l3;
    int64_t n = 0;
  };
  struct Bucket {  // one non-cumulative histogram bucket; le_ms == INT64_MAX is +Inf
    std::string family, queue;
    int64_t le_ms = 0, n = 0, sum_ms = 0;
  };
  struct Queue {
    std::string name;
    bool paused = false;
    std::optional<int> concurrency;
    std::optional<int64_t> oldest_queued_ms;  // when its oldest queued job became runnable
  };
  std::vector<JobCount> jobs;
  std::vector<Counter> counters;
  std::vector<int64_t> bounds_ms;  // ascending, the last one INT64_MAX
  std::vector<Bucket> buckets;
  std::vector<Queue> queues;  // every queue with settings or jobs, by name
  int64_t outbox_pending = 0;
  std::optional<int64_t> runner_heartbeat_ms;  // the latest runner's, if one registered
};

// Counts to add to a family of metric_counters, keyed by its three labels.
using CounterDeltas = std::map<std::tuple<std::string, std::string, std::string>, int64_t>;

class MetricsStore {
 public:
  // Opens the database (creating it and bringing its schema up to date, as JobStore::Open).
  static Result<std::unique_ptr<MetricsStore>> Open(const std::string& db_path);
  ~MetricsStore();

  // Everything in one read transaction (a consistent view).
  Result<MetricsSnapshot> Read();
  // Adds `deltas` to `family` in one transaction.
  Status AddCounts(const std::string& family, const CounterDeltas& deltas);

 private:
  explicit MetricsStore(std::unique_ptr<storage::Db> db);
  Result<MetricsSnapshot> ReadLocked();

  std::mutex mu_;
  std::unique_ptr<storage::Db> db_;
};

}  // namespace baton
