// server/cli/metrics_http.h
//
// GET /metrics as an HTTP page: the MetricsPage's text, or 503 naming why the database could
// not be read (Prometheus marks the target down rather than storing a partial scrape).
#pragma once

#include "server/metrics/metrics_page.h"
#include "transport/http_server.h"

namespace baton {

// `page` must outlive the server the result is installed on.
transport::HttpPageFn MetricsHttpPage(MetricsPage& page);

}  // namespace baton
