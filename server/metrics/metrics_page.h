// server/metrics/metrics_page.h
//
// MetricsPage answers GET /metrics: it saves this process's request counts (when it tallies
// any), reads the database's totals and renders them. What `serve --http` and `baton web`
// serve; two processes over one database give the same counters.
// Thread-safe.
#pragma once

#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "server/metrics/request_tally.h"
#include "storage/metrics_store.h"

namespace baton {

class MetricsPage {
 public:
  // `tally` may be null (a process that serves no MCP). Neither is owned.
  MetricsPage(MetricsStore& store, RequestTally* tally, std::string version, const Clock& clock)
      : store_(store), tally_(tally), version_(std::move(version)), clock_(clock) {}

  // The exposition text (Content-Type kMetricsContentType), or why the database could not be
  // read (the caller answers 503).
  Result<std::string> Render();

 private:
  MetricsStore& store_;
  RequestTally* tally_;
  std::string version_;
  const Clock& clock_;
};

}  // namespace baton
