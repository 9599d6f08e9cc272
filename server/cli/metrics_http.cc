#include "server/cli/metrics_http.h"

#include <spdlog/spdlog.h>

#include "server/metrics/metrics_renderer.h"

namespace baton {

transport::HttpPageFn MetricsHttpPage(MetricsPage& page) {
  return [&page] {
    transport::HttpPage out;
    Result<std::string> text = page.Render();
    if (!text.ok()) {
      spdlog::warn("metrics: {}", text.status().ToString());
      out.status = 503;
      out.body = "baton: the job database could not be read: " + text.status().message() + "\n";
      return out;
    }
    out.content_type = kMetricsContentType;
    out.body = std::move(text).value();
    return out;
  };
}

}  // namespace baton
