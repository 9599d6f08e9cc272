// server/metrics/metrics_renderer.h
//
// Renders a MetricsSnapshot (storage/metrics_store.h) in the Prometheus text exposition format
// 0.0.4: every family with # HELP and # TYPE, prefix baton_, no per-job labels (their number
// grows with the queues, states and outcomes, never with the jobs). Every queue gets every
// state and outcome, zeros included, so a series never appears out of nowhere and rate() starts
// from zero. The families and their meaning: docs/metrics.md. Pure: no I/O, no clock reads.
#pragma once

#include <cstdint>
#include <string>

#include "storage/metrics_store.h"

namespace baton {

// The Content-Type of what RenderMetrics returns.
inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// `now_ms` dates the ages (oldest queued job, runner heartbeat).
std::string RenderMetrics(const MetricsSnapshot& snapshot, const std::string& version,
                          int64_t now_ms);

}  // namespace baton
