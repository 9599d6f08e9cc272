// Scenario 6: events to a real NATS JetStream (`nats-server -js` on a free loopback port with its
// own store directory, started and stopped here).
//  - drain rate: N finished jobs are copied from one baton ran, each with a copy of its real
//    `succeeded` event in the outbox; then `baton runner --nats` starts and is timed until every
//    event is acknowledged by the stream (published = 1). Baseline: nats.c async JetStream publishes of as many
//    messages of the same size to a stream on the same server.
//  - job end -> subscriber: `baton serve --stdio --nats`, one `bench_stamp` job at a time on an
//    idle runner; latency = a plain NATS subscriber's receipt of the job's `succeeded` message -
//    the job's own start stamp (the job exits right after it). Baseline: publish -> receipt of a
//    core NATS message between two connections to the same server.
// A separate binary (baton_bench_events), so that only it links nats.c.
#include <nats/nats.h>
#include <sqlite3.h>
#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "bench/scenarios.h"

namespace baton::bench {

using nlohmann::json;

namespace {

std::string FindNatsServer() {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/usr/local/bin:/usr/bin";
  std::stringstream ss(path);
  std::string dir;
  while (std::getline(ss, dir, ':'))
    if (!dir.empty() && access((dir + "/nats-server").c_str(), X_OK) == 0) return dir + "/nats-server";
  return "";
}

// A nats-server -js for this scenario; stopped (and its store removed) on destruction.
struct NatsServer {
  Child child;
  std::string url, dir;
  ~NatsServer() {
    if (child.ok()) {
      kill(child.pid(), SIGTERM);
      child.Finish(5000);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir + "/js", ec);
  }
};

bool StartNats(const std::string& exe, const std::string& dir, NatsServer* s) {
  int port = FreePort();
  s->dir = dir;
  s->url = "nats://127.0.0.1:" + std::to_string(port);
  std::filesystem::create_directories(dir + "/js");
  std::ofstream(dir + "/nats.conf") << "listen: 127.0.0.1:" << port << "\n"
                                    << "jetstream { store_dir: \"" << dir << "/js\" }\n";
  s->child = Child::Spawn({exe, "-c", dir + "/nats.conf"}, dir + "/nats.log");
  for (int i = 0; i < 500; ++i) {
    natsConnection* nc = nullptr;
    if (natsConnection_ConnectTo(&nc, s->url.c_str()) == NATS_OK) {
      natsConnection_Destroy(nc);
      return true;
    }
    usleep(10000);
  }
  return false;
}

// Async JetStream publishes of n messages of `size` bytes, until all are acknowledged.
double RawJetStreamRate(const std::string& url, long n, size_t size) {
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  if (natsConnection_ConnectTo(&nc, url.c_str()) != NATS_OK) return 0;
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.PublishAsync.MaxPending = 1024;  // the drainer's window order of magnitude
  double rate = 0;
  if (natsConnection_JetStream(&js, nc, &jo) == NATS_OK) {
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = "BENCH_BASELINE";
    const char* subjects[] = {"bench.baseline.>"};
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 1;
    cfg.Storage = js_FileStorage;
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    if (js_AddStream(&si, js, &cfg, nullptr, &jerr) == NATS_OK) {
      jsStreamInfo_Destroy(si);
      std::string payload(size, 'x');
      int64_t t0 = NowNs();
      long ok = 0;
      for (long i = 0; i < n; ++i)
        if (js_PublishAsync(js, "bench.baseline.x", payload.data(), static_cast<int>(payload.size()),
                            nullptr) == NATS_OK)
          ++ok;
      jsPubOptions po;
      jsPubOptions_Init(&po);
      po.MaxWait = 60000;
      if (js_PublishAsyncComplete(js, &po) == NATS_OK) rate = static_cast<double>(ok) / Seconds(NowNs() - t0);
    }
    jsCtx_Destroy(js);
  }
  natsConnection_Destroy(nc);
  return rate;
}

// Receipt times (CLOCK_MONOTONIC ns) of messages, by the last token of their subject.
struct Receipts {
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, int64_t> at;
  static void OnMsg(natsConnection*, natsSubscription*, natsMsg* m, void* closure) {
    int64_t now = NowNs();
    auto* self = static_cast<Receipts*>(closure);
    std::string subject = natsMsg_GetSubject(m);
    natsMsg_Destroy(m);
    std::string key = subject.substr(subject.rfind('.') + 1);
    std::lock_guard<std::mutex> lock(self->mu);
    self->at.emplace(key, now);
    self->cv.notify_all();
  }
  std::optional<int64_t> Wait(const std::string& key, int timeout_ms) {
    std::unique_lock<std::mutex> lock(mu);
    if (!cv.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return at.count(key) > 0; }))
      return std::nullopt;
    return at[key];
  }
};

// Core NATS publish -> receipt between two connections, n samples one at a time (ms).
std::vector<double> RawNatsLatencies(const std::string& url, long n) {
  std::vector<double> ms;
  natsConnection *pub = nullptr, *sub_nc = nullptr;
  natsSubscription* sub = nullptr;
  Receipts r;
  if (natsConnection_ConnectTo(&pub, url.c_str()) == NATS_OK &&
      natsConnection_ConnectTo(&sub_nc, url.c_str()) == NATS_OK &&
      natsConnection_Subscribe(&sub, sub_nc, "bench.latency.*", Receipts::OnMsg, &r) == NATS_OK &&
      natsConnection_Flush(sub_nc) == NATS_OK) {
    for (long i = 0; i < n; ++i) {
      std::string key = std::to_string(i);
      int64_t t0 = NowNs();
      natsConnection_PublishString(pub, ("bench.latency." + key).c_str(), "{}");
      natsConnection_Flush(pub);
      if (auto at = r.Wait(key, 5000)) ms.push_back(static_cast<double>(*at - t0) / 1e6);
      usleep(2000);
    }
  }
  natsSubscription_Destroy(sub);
  natsConnection_Destroy(sub_nc);
  natsConnection_Destroy(pub);
  return ms;
}

bool Exec(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  if (sqlite3_open(db.c_str(), &h) != SQLITE_OK) return false;
  sqlite3_busy_timeout(h, 10000);
  char* err = nullptr;
  int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
  if (err) {
    fprintf(stderr, "bench: %s\n", err);
    sqlite3_free(err);
  }
  sqlite3_close(h);
  return rc == SQLITE_OK;
}

int64_t ReadStamp(const std::string& file) {
  std::ifstream in(file);
  long long ns = 0;
  in >> ns;
  return ns;
}

}  // namespace

int EventsBench(const Options& o) {
  Env env = EnvFrom(o);
  const bool smoke = o.Has("smoke");
  const long n = o.Int("n", smoke ? 2000 : 20000);
  const long samples = o.Int("samples", smoke ? 20 : 200);
  std::string exe = FindNatsServer();
  if (exe.empty()) {
    EmitUnavailable(6, "events drain rate to JetStream", "nats-server is not installed");
    EmitUnavailable(6, "job end -> subscriber p99", "nats-server is not installed");
    return 0;
  }
  std::string dir = env.workdir + "/s6";
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir);
  NatsServer nats;
  if (!StartNats(exe, dir, &nats)) {
    fprintf(stderr, "bench: nats-server did not start (see %s/nats.log)\n", dir.c_str());
    return 1;
  }

  // --- Drain rate. One real job, its `succeeded` event copied n times into the outbox.
  std::string db = dir + "/drain/baton.db";
  std::filesystem::create_directories(dir + "/drain");
  {
    McpClient c = StartServe(env, db, {"--runner-idle-exit", "30"});
    if (!c.Initialize()) return 1;
    auto job = Structured(c.CallTool("enqueue", {{"command", {"/bin/true"}}}));
    if (!job) return 1;
    c.CallTool("status", {{"job_id", (*job)["job_id"]}, {"wait_seconds", 30}});
    c.child().Finish();
    StopRunner(db);
  }
  // n finished jobs copied from the real one, each with one unpublished `succeeded` event (the
  // drainer publishes one event per job per batch, so one job's n events would be n batches).
  const std::string cols =
      "state, queue, priority, run_at_ms, created_ms, updated_ms, started_ms, finished_ms, attempt, "
      "max_attempts, unmet_deps, spec, idempotency_key, session, principal, chain_id, chain_step, "
      "name, exit_code, signal, error, stdout_tail, stderr_tail, cancel_requested, labels";
  if (!Exec(db, "UPDATE events SET published = 1; INSERT INTO jobs(" + cols +
                    ") WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < " +
                    std::to_string(n) + ") SELECT " + cols +
                    " FROM k, (SELECT * FROM jobs WHERE id = 1); "
                    "INSERT INTO events(ts_ms, job_id, type, queue, data) "
                    "SELECT e.ts_ms, j.id, e.type, e.queue, e.data FROM jobs j, "
                    "(SELECT * FROM events WHERE type = 'succeeded' LIMIT 1) e WHERE j.id > 1"))
    return 1;
  int64_t size = QueryInt(db, "SELECT length(data) FROM events WHERE published = 0 LIMIT 1");
  int64_t t0 = NowNs();
  Child runner = Child::Spawn({env.baton, "runner", "--db", db, "--nats", nats.url, "--idle-exit",
                               "60", "--log-level", "warn"},
                              db + ".runner.log");
  int64_t left = n;
  while (left > 0 && NowNs() - t0 < 120LL * 1000000000) {
    usleep(2000);
    left = QueryInt(db, "SELECT count(*) FROM events WHERE published = 0");
    if (left < 0) left = n;
  }
  double drain = static_cast<double>(n - left) / Seconds(NowNs() - t0);
  kill(runner.pid(), SIGTERM);
  runner.Finish(10000);
  // The baseline's messages are the size of the drainer's (payload + job snapshot, ~2x data).
  double raw = RawJetStreamRate(nats.url, n, static_cast<size_t>(std::max<int64_t>(size, 1) * 2));
  Figure f;
  f.scenario = 6;
  f.name = "events drained to JetStream";
  f.value = drain;
  f.unit = "events/s";
  f.baseline_name = "nats.c async JetStream publishes, same server";
  f.baseline = raw;
  f.target = Target{">=", 20000, false};
  f.extra = {{"n", n}, {"left_unpublished", left}};
  Emit(f);

  // --- Job end -> subscriber receipt.
  Receipts receipts;
  natsConnection* nc = nullptr;
  natsSubscription* sub = nullptr;
  std::vector<double> ms;
  long missing = 0;
  std::string ldb = dir + "/latency/baton.db";
  std::filesystem::create_directories(dir + "/latency");
  if (natsConnection_ConnectTo(&nc, nats.url.c_str()) == NATS_OK &&
      natsConnection_Subscribe(&sub, nc, "baton.default.job.*.succeeded.*", Receipts::OnMsg,
                               &receipts) == NATS_OK &&
      natsConnection_Flush(nc) == NATS_OK) {
    McpClient c = StartServe(env, ldb, {"--nats", nats.url, "--runner-idle-exit", "60"});
    if (!c.Initialize()) return 1;
    for (long i = 0; i < samples; ++i) {
      std::string file = dir + "/latency/stamp-" + std::to_string(i);
      auto job = Structured(c.CallTool("enqueue", {{"command", {env.stamp, file}}}));
      if (!job) return 1;
      std::string id = std::to_string((*job)["job_id"].get<int64_t>());
      auto at = receipts.Wait(id, 10000);
      int64_t stamp = ReadStamp(file);
      if (!at || stamp == 0) {
        ++missing;
        continue;
      }
      ms.push_back(static_cast<double>(*at - stamp) / 1e6);
      usleep(5000);  // an idle runner for the next one
    }
    c.child().Finish();
    StopRunner(ldb);
  }
  natsSubscription_Destroy(sub);
  natsConnection_Destroy(nc);
  std::vector<double> base = RawNatsLatencies(nats.url, samples);
  std::vector<double> all = ms;
  Figure p;
  p.scenario = 6;
  p.name = "job end -> subscriber p99";
  p.value = Percentile(ms, 0.99);
  p.unit = "ms";
  p.baseline_name = "core NATS publish -> receipt p99";
  p.baseline = Percentile(base, 0.99);
  p.target = Target{"<=", 20, false};
  p.extra = {{"samples", all.size()}, {"missing", missing}, {"p50_ms", Percentile(all, 0.5)},
             {"baseline_p50_ms", Percentile(base, 0.5)}};
  Emit(p);
  return 0;
}

}  // namespace baton::bench

int main(int argc, char** argv) {
  nats_Open(-1);
  int rc = baton::bench::EventsBench(baton::bench::ParseOptions(argc - 1, argv + 1));
  nats_Close();
  return rc;
}
