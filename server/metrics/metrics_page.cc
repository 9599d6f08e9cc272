#include "server/metrics/metrics_page.h"

#include <spdlog/spdlog.h>

#include "server/metrics/metrics_renderer.h"

namespace baton {

Result<std::string> MetricsPage::Render() {
  if (tally_)
    if (Status s = tally_->Flush(); !s.ok())  // the page still answers, a little behind
      spdlog::warn("metrics: request counts not saved before the scrape: {}", s.message());
  BATON_ASSIGN_OR_RETURN(MetricsSnapshot snapshot, store_.Read());
  return RenderMetrics(snapshot, version_, clock_.NowMs());
}

}  // namespace baton
