// Scenario 8: `status` over MCP Streamable HTTP (`baton serve --http`) from 16 concurrent clients,
// each with its own session and keep-alive connection: throughput and p99. Baseline: the same
// clients against a minimal cpp-httplib server in this process answering a fixed JSON body.
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "bench/scenarios.h"

namespace baton::bench {

using nlohmann::json;

namespace {

// The JSON-RPC message of a response body, plain JSON or one SSE `data:` event.
json BodyMessage(const httplib::Result& r) {
  if (!r) return nullptr;
  const std::string& b = r->body;
  if (r->get_header_value("Content-Type").rfind("text/event-stream", 0) == 0) {
    size_t pos = 0;
    while ((pos = b.find("data:", pos)) != std::string::npos) {
      size_t end = b.find('\n', pos);
      json j = json::parse(b.substr(pos + 5, end - pos - 5), nullptr, false);
      if (j.is_object() && j.contains("id")) return j;
      pos = end;
    }
    return nullptr;
  }
  return json::parse(b, nullptr, false);
}

class HttpMcp {
 public:
  explicit HttpMcp(int port) : cli_("127.0.0.1", port) {
    cli_.set_keep_alive(true);
    cli_.set_tcp_nodelay(true);
    cli_.set_read_timeout(30, 0);
  }
  json Post(const json& msg) {
    httplib::Headers h = {{"Accept", "application/json, text/event-stream"},
                          {"MCP-Protocol-Version", "2025-11-25"}};
    if (!session_.empty()) h.emplace("Mcp-Session-Id", session_);
    auto r = cli_.Post("/mcp", h, msg.dump(), "application/json");
    if (r && r->has_header("Mcp-Session-Id")) session_ = r->get_header_value("Mcp-Session-Id");
    return msg.contains("id") ? BodyMessage(r) : json(r ? r->status : 0);
  }
  bool Initialize() {
    json r = Post({{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"},
                   {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", json::object()},
                               {"clientInfo", {{"name", "baton-bench"}, {"version", "1"}}}}}});
    if (!r.is_object() || !r.contains("result")) return false;
    Post({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
    return true;
  }
  json Tool(const std::string& name, const json& args) {
    return Post({{"jsonrpc", "2.0"}, {"id", ++id_}, {"method", "tools/call"},
                 {"params", {{"name", name}, {"arguments", args}}}});
  }

 private:
  httplib::Client cli_;
  std::string session_;
  int64_t id_ = 0;
};

struct LoadResult {
  double per_second = 0;
  std::vector<double> ms;
  long errors = 0;
};

LoadResult Load(int clients, double seconds, const std::function<bool(HttpMcp&)>& setup,
                const std::function<bool(HttpMcp&)>& call, int port) {
  LoadResult out;
  std::mutex mu;
  std::atomic<bool> go{false}, stop{false};
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&] {
      HttpMcp m(port);
      bool ok = setup(m);
      ++ready;
      while (!go) std::this_thread::yield();
      std::vector<double> mine;
      long errors = ok ? 0 : 1;
      while (ok && !stop) {
        int64_t t0 = NowNs();
        bool good = call(m);
        mine.push_back(static_cast<double>(NowNs() - t0) / 1e6);
        if (!good) ++errors;
      }
      std::lock_guard<std::mutex> lock(mu);
      out.ms.insert(out.ms.end(), mine.begin(), mine.end());
      out.errors += errors;
    });
  while (ready < clients) usleep(1000);
  int64_t t0 = NowNs();
  go = true;
  usleep(static_cast<useconds_t>(seconds * 1e6));
  stop = true;
  for (auto& t : threads) t.join();
  out.per_second = static_cast<double>(out.ms.size()) / Seconds(NowNs() - t0);
  return out;
}

}  // namespace

int HttpBench(const Options& o) {
  Env env = EnvFrom(o);
  bool smoke = o.Has("smoke");
  double seconds = smoke ? 1 : static_cast<double>(o.Int("seconds", 5));
  const int clients = static_cast<int>(o.Int("clients", 16));
  std::string db = FreshDb(env, "s8");
  int port = FreePort();
  Child server = Child::Spawn({env.baton, "serve", "--http", "127.0.0.1:" + std::to_string(port),
                               "--db", db, "--log-level", "warn", "--concurrency", "2"},
                              db + ".serve.log");
  HttpMcp admin(port);
  bool up = false;
  for (int i = 0; i < 200 && !up; ++i) {
    up = admin.Initialize();
    if (!up) usleep(20000);
  }
  if (!up) {
    fprintf(stderr, "bench: baton serve --http did not answer (see %s.serve.log)\n", db.c_str());
    kill(server.pid(), SIGTERM);
    return 1;
  }
  json r = admin.Tool("enqueue", {{"command", {"/bin/true"}}});
  int64_t job = r.is_object() ? r["result"]["structuredContent"].value("job_id", int64_t{1}) : 1;
  admin.Tool("status", {{"job_id", job}, {"wait_seconds", 10}});
  LoadResult baton = Load(
      clients, seconds, [](HttpMcp& m) { return m.Initialize(); },
      [job](HttpMcp& m) {
        json r = m.Tool("status", {{"job_id", job}});
        return r.is_object() && r.contains("result") && !r["result"].value("isError", false);
      },
      port);
  kill(server.pid(), SIGTERM);
  server.Finish();

  // Baseline: a fixed answer from a minimal server, same clients.
  httplib::Server fixed;
  fixed.new_task_queue = [clients] { return new httplib::ThreadPool(static_cast<size_t>(clients) + 4); };
  fixed.set_tcp_nodelay(true);
  const std::string body = R"({"jsonrpc":"2.0","id":1,"result":{"content":[],"structuredContent":{"jobs":[]}}})";
  fixed.Post("/mcp", [&](const httplib::Request&, httplib::Response& res) {
    res.set_header("Mcp-Session-Id", "fixed");
    res.set_content(body, "application/json");
  });
  int bport = FreePort();
  std::thread srv([&] { fixed.listen("127.0.0.1", bport); });
  for (int i = 0; i < 500 && !fixed.is_running(); ++i) usleep(2000);
  LoadResult base = Load(
      clients, seconds, [](HttpMcp& m) { return m.Initialize(); },
      [](HttpMcp& m) { return m.Tool("status", {{"job_id", 1}}).is_object(); }, bport);
  fixed.stop();
  srv.join();

  Figure f;
  f.scenario = 8;
  f.name = "HTTP status throughput, " + std::to_string(clients) + " clients";
  f.value = baton.per_second;
  f.unit = "calls/s";
  f.baseline_name = "fixed-body cpp-httplib server";
  f.baseline = base.per_second;
  f.extra = {{"calls", baton.ms.size()}, {"errors", baton.errors}, {"seconds", seconds}};
  Emit(f);
  f.name = "HTTP status p99, " + std::to_string(clients) + " clients";
  f.value = Percentile(baton.ms, 0.99);
  f.unit = "ms";
  f.baseline = Percentile(base.ms, 0.99);
  f.extra = {{"p50_ms", Percentile(baton.ms, 0.5)}};
  Emit(f);
  return 0;
}

}  // namespace baton::bench

#ifdef BATON_BENCH_HTTP_MAIN
// A separate binary, so that only it pays for httplib.h: baton_bench runs it for `http`.
std::string baton::bench::FreshDb(const Env& env, const std::string& name) {
  std::string dir = env.workdir + "/" + name;
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir, ec);
  return dir + "/baton.db";
}

int main(int argc, char** argv) {
  return baton::bench::HttpBench(baton::bench::ParseOptions(argc - 1, argv + 1));
}
#endif
