#include "server/metrics/metrics_renderer.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <vector>

namespace baton {

namespace {

constexpr const char* kStates[] = {"pending", "queued",    "running",  "succeeded",
                                   "failed",  "dead",      "cancelled", "skipped"};
constexpr const char* kOutcomes[] = {"succeeded", "failed", "dead",   "cancelled",
                                     "timed_out", "lost",   "skipped"};

std::string Number(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string Seconds(int64_t ms) { return Number(static_cast<double>(ms) / 1000.0); }

// Label values escaped as the exposition format requires (backslash, quote, newline).
std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

class Writer {
 public:
  void Family(const char* name, const char* type, const char* help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  // labels: name/value pairs.
  void Sample(const std::string& name,
              std::initializer_list<std::pair<const char*, std::string>> labels,
              const std::string& value) {
    out_ += name;
    if (labels.size() > 0) {
      out_ += '{';
      bool first = true;
      for (const auto& [k, v] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += k;
        out_ += "=\"";
        out_ += Escape(v);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
    out_ += value;
    out_ += '\n';
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

void Histogram(Writer& w, const MetricsSnapshot& s, const char* family, const char* name,
               const char* help) {
  w.Family(name, "histogram", help);
  // family's buckets by queue, then by bound.
  std::map<std::string, std::map<int64_t, const MetricsSnapshot::Bucket*>> by_queue;
  for (const auto& b : s.buckets)
    if (b.family == family) by_queue[b.queue][b.le_ms] = &b;
  const std::string base = name;
  for (const auto& q : s.queues) {
    const auto& rows = by_queue[q.name];
    int64_t cumulative = 0, sum_ms = 0;
    for (int64_t le : s.bounds_ms) {
      if (auto it = rows.find(le); it != rows.end()) {
        cumulative += it->second->n;
        sum_ms += it->second->sum_ms;
      }
      bool inf = le == std::numeric_limits<int64_t>::max();
      w.Sample(base + "_bucket", {{"queue", q.name}, {"le", inf ? "+Inf" : Seconds(le)}},
               std::to_string(cumulative));
    }
    w.Sample(base + "_sum", {{"queue", q.name}}, Seconds(sum_ms));
    w.Sample(base + "_count", {{"queue", q.name}}, std::to_string(cumulative));
  }
}

}  // namespace

std::string RenderMetrics(const MetricsSnapshot& s, const std::string& version, int64_t now_ms) {
  Writer w;
  w.Family("baton_build_info", "gauge", "Always 1; the version of the baton serving this page.");
  w.Sample("baton_build_info", {{"version", version}}, "1");

  std::map<std::pair<std::string, std::string>, int64_t> jobs;
  for (const auto& j : s.jobs) jobs[{j.queue, j.state}] += j.n;
  w.Family("baton_jobs", "gauge", "Jobs in the database by queue and state (retention prunes "
                                  "finished ones).");
  for (const auto& q : s.queues)
    for (const char* state : kStates)
      w.Sample("baton_jobs", {{"queue", q.name}, {"state", state}},
               std::to_string(jobs[{q.name, state}]));

  std::map<std::string, std::map<std::tuple<std::string, std::string, std::string>, int64_t>>
      counters;
  for (const auto& c : s.counters) counters[c.family][{c.l1, c.l2, c.l3}] += c.n;
  w.Family("baton_jobs_finished_total", "counter",
           "Jobs that reached a terminal state, by queue and outcome (failed jobs whose last "
           "attempt timed out or was lost count as timed_out or lost). Never reset by retention.");
  auto& finished = counters["jobs_finished"];
  for (const auto& q : s.queues)
    for (const char* outcome : kOutcomes)
      w.Sample("baton_jobs_finished_total", {{"queue", q.name}, {"outcome", outcome}},
               std::to_string(finished[{q.name, outcome, ""}]));

  Histogram(w, s, "job_duration", "baton_job_duration_seconds",
            "How long attempts ran, from claim to recorded end, by queue.");
  Histogram(w, s, "queue_wait", "baton_queue_wait_seconds",
            "How long jobs waited runnable (queued) before an attempt started, by queue.");

  w.Family("baton_queue_oldest_pending_seconds", "gauge",
           "Age of the queue's oldest runnable (queued) job, since it became runnable; 0 when "
           "none waits.");
  for (const auto& q : s.queues)
    w.Sample("baton_queue_oldest_pending_seconds", {{"queue", q.name}},
             Seconds(q.oldest_queued_ms ? std::max<int64_t>(now_ms - *q.oldest_queued_ms, 0) : 0));
  w.Family("baton_queue_paused", "gauge", "1 when the queue is paused (baton queue pause), else 0.");
  for (const auto& q : s.queues)
    w.Sample("baton_queue_paused", {{"queue", q.name}}, q.paused ? "1" : "0");
  w.Family("baton_queue_concurrency_limit", "gauge",
           "The queue's concurrency limit, for queues that have one (baton queue limit).");
  for (const auto& q : s.queues)
    if (q.concurrency)
      w.Sample("baton_queue_concurrency_limit", {{"queue", q.name}}, std::to_string(*q.concurrency));

  w.Family("baton_events_outbox_pending", "gauge",
           "Events not yet published to NATS JetStream (all of them when no --nats is set).");
  w.Sample("baton_events_outbox_pending", {}, std::to_string(s.outbox_pending));

  w.Family("baton_policy_decisions_total", "counter",
           "Policy decisions recorded in the decision log, by decision (allow, deny).");
  auto& decisions = counters["policy_decisions"];
  for (const char* d : {"allow", "deny"})
    w.Sample("baton_policy_decisions_total", {{"decision", d}},
             std::to_string(decisions[{d, "", ""}]));

  w.Family("baton_mcp_requests_total", "counter",
           "MCP requests answered, by transport (stdio, http), method (unknown for methods the "
           "server does not serve) and outcome (ok, error, tool_error, cancelled).");
  for (const auto& [labels, n] : counters["mcp_requests"])
    w.Sample("baton_mcp_requests_total",
             {{"transport", std::get<0>(labels)}, {"method", std::get<1>(labels)},
              {"outcome", std::get<2>(labels)}},
             std::to_string(n));

  if (s.runner_heartbeat_ms) {
    w.Family("baton_runner_heartbeat_age_seconds", "gauge",
             "Time since the latest runner's heartbeat (a live runner beats every few seconds).");
    w.Sample("baton_runner_heartbeat_age_seconds", {},
             Seconds(std::max<int64_t>(now_ms - *s.runner_heartbeat_ms, 0)));
  }
  return w.Take();
}

}  // namespace baton
