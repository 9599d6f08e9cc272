// The exposition text: every family has HELP and TYPE, histogram buckets are cumulative, every
// queue gets every state and outcome (zeros included), and label values are escaped.
#include "server/metrics/metrics_renderer.h"

#include <gtest/gtest.h>

#include <limits>

namespace baton {
namespace {

constexpr int64_t kInf = std::numeric_limits<int64_t>::max();

MetricsSnapshot Snapshot() {
  MetricsSnapshot s;
  s.jobs = {{"ci", "queued", 2}, {"ci", "succeeded", 5}};
  s.counters = {{"jobs_finished", "ci", "succeeded", "", 5},
                {"policy_decisions", "deny", "", "", 1},
                {"mcp_requests", "http", "tools/call", "ok", 7}};
  s.bounds_ms = {100, 1000, kInf};
  s.buckets = {{"job_duration", "ci", 100, 2, 150}, {"job_duration", "ci", kInf, 3, 9000}};
  s.queues = {{"ci", true, 4, 1000}, {"we\"ird\\q\nx", false, std::nullopt, std::nullopt}};
  s.outbox_pending = 12;
  return s;
}

bool Has(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(MetricsRendererTest, FamiliesSamplesAndEscaping) {
  std::string t = RenderMetrics(Snapshot(), "1.2.3", /*now_ms=*/4500);
  struct Case {
    const char* line;
  };
  const Case kCases[] = {
      {"# TYPE baton_jobs gauge"},
      {"# TYPE baton_jobs_finished_total counter"},
      {"# TYPE baton_job_duration_seconds histogram"},
      {"baton_build_info{version=\"1.2.3\"} 1"},
      {"baton_jobs{queue=\"ci\",state=\"queued\"} 2"},
      {"baton_jobs{queue=\"ci\",state=\"dead\"} 0"},
      {"baton_jobs_finished_total{queue=\"ci\",outcome=\"succeeded\"} 5"},
      {"baton_jobs_finished_total{queue=\"ci\",outcome=\"lost\"} 0"},
      {"baton_job_duration_seconds_bucket{queue=\"ci\",le=\"0.1\"} 2"},
      {"baton_job_duration_seconds_bucket{queue=\"ci\",le=\"1\"} 2"},
      {"baton_job_duration_seconds_bucket{queue=\"ci\",le=\"+Inf\"} 5"},
      {"baton_job_duration_seconds_sum{queue=\"ci\"} 9.15"},
      {"baton_job_duration_seconds_count{queue=\"ci\"} 5"},
      {"baton_queue_wait_seconds_count{queue=\"ci\"} 0"},
      {"baton_queue_oldest_pending_seconds{queue=\"ci\"} 3.5"},
      {"baton_queue_paused{queue=\"ci\"} 1"},
      {"baton_queue_concurrency_limit{queue=\"ci\"} 4"},
      {"baton_queue_paused{queue=\"we\\\"ird\\\\q\\nx\"} 0"},
      {"baton_events_outbox_pending 12"},
      {"baton_policy_decisions_total{decision=\"allow\"} 0"},
      {"baton_policy_decisions_total{decision=\"deny\"} 1"},
      {"baton_mcp_requests_total{transport=\"http\",method=\"tools/call\",outcome=\"ok\"} 7"},
  };
  for (const Case& c : kCases) EXPECT_TRUE(Has(t, c.line)) << c.line << "\n" << t;
  // No runner ever registered: no heartbeat family.
  EXPECT_EQ(t.find("baton_runner_heartbeat_age_seconds"), std::string::npos);
  // Every TYPE has its HELP just before it.
  size_t pos = 0;
  int families = 0;
  while ((pos = t.find("# TYPE ", pos)) != std::string::npos) {
    std::string name = t.substr(pos + 7, t.find(' ', pos + 7) - pos - 7);
    EXPECT_NE(t.rfind("# HELP " + name + " ", pos), std::string::npos) << name;
    ++families;
    ++pos;
  }
  EXPECT_EQ(families, 11);
}

}  // namespace
}  // namespace baton
