// `baton web [--listen ADDR] [--db PATH]`: /metrics from the database over HTTP, for setups
// that only use stdio (no `serve --http` to scrape). No MCP endpoint, no runner: it only reads
// the database (bringing its schema up to date). The job page itself is not here yet: `/`
// says so. Loopback by default; the same token rules as `serve --http` (server/cli/http_flags.h).
// Shutdown (SIGTERM/SIGINT): stop the HTTP server, close the database.
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstring>

#include "base/clock.h"
#include "server/cli/commands.h"
#include "server/cli/flags.h"
#include "server/cli/http_flags.h"
#include "server/cli/logging.h"
#include "server/cli/stop_signal.h"
#include "server/cli/metrics_http.h"
#include "server/jobs/state_paths.h"
#include "server/metrics/metrics_page.h"
#include "storage/metrics_store.h"
#include "transport/http_server.h"

namespace baton {

namespace {

constexpr const char* kWebUsage =
    "usage: baton web [--listen HOST:PORT] [--db PATH] [--tokens-file FILE]\n"
    "         [--allowed-origins URL,...] [--allowed-hosts NAME,...] [--log-level info]\n"
    "         [--log-file FILE]\n"
    "       serves GET /metrics (Prometheus text) from the database; default listen\n"
    "       127.0.0.1:7879. Bearer tokens as for serve --http (--tokens-file or\n"
    "       BATON_HTTP_TOKENS), required unless HOST is loopback.\n";

constexpr const char* kIndexText =
    "baton web: the job page is not here yet. Metrics (Prometheus text format): /metrics\n";

// The server is built with no MCP endpoint: nothing reaches this.
class NoMcp final : public transport::StreamableHttpHandler {
 public:
  void OnPost(transport::HttpPost, std::shared_ptr<transport::HttpExchange>) override {}
  void OnSessionClosed(const std::shared_ptr<transport::HttpSession>&) override {}
};

}  // namespace

int WebCommand(const Args& args) {
  auto flags = ParseFlags(args,
                          {"listen", "db", "tokens-file", "allowed-origins", "allowed-hosts",
                           "log-level", "log-file"},
                          {"help"});
  if (!flags.ok() || flags->Has("help") || !flags->positional.empty()) {
    if (!flags.ok()) fprintf(stderr, "baton web: %s\n", flags.status().message().c_str());
    else if (!flags->positional.empty())
      fprintf(stderr, "baton web: unexpected argument \"%s\"\n", flags->positional[0].c_str());
    fputs(kWebUsage, flags.ok() && flags->Has("help") ? stdout : stderr);
    return flags.ok() && flags->Has("help") ? 0 : 2;
  }
  if (Status s = SetUpLogging(flags->Get("log-level").value_or("info"),
                              flags->Get("log-file").value_or(""), "web");
      !s.ok()) {
    fprintf(stderr, "baton: %s\n", s.message().c_str());
    return 2;
  }
  transport::HttpServerOptions options;
  options.path = "";  // no MCP
  if (Status s = HttpOptionsFromFlags(*flags, flags->Get("listen").value_or("127.0.0.1:7879"),
                                      "--listen", &options);
      !s.ok()) {
    fprintf(stderr, "baton: %s\n", s.message().c_str());
    return 2;
  }
  const std::string db = flags->Get("db").value_or(DefaultDbPath());
  // Metrics of an empty database made up at a mistyped path would read as "nothing happens".
  if (struct stat st; stat(db.c_str(), &st) != 0) {
    fprintf(stderr,
            "baton web: no job database at %s (%s); pass --db PATH, or set BATON_DB, to the "
            "database serve and the runner use\n",
            db.c_str(), strerror(errno));
    return 2;
  }
  auto store = MetricsStore::Open(db);
  if (!store.ok()) {
    spdlog::error("cannot open the job database {}: {}", db, store.status().ToString());
    return 1;
  }
  MetricsPage page(**store, /*tally=*/nullptr, BATON_VERSION, SystemClock::Instance());
  options.pages["/metrics"] = MetricsHttpPage(page);
  options.pages["/"] = [] {
    transport::HttpPage p;
    p.body = kIndexText;
    return p;
  };

  auto stop = StopSignal::Install();
  if (!stop.ok()) {
    spdlog::error("{}", stop.status().ToString());
    return 1;
  }

  NoMcp no_mcp;
  transport::StreamableHttpServer http(options, no_mcp);
  if (Status s = http.Start(); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 1;
  }
  spdlog::info("serving metrics at {}/metrics ({}); database {}",
               HttpBaseUrl(options.host, http.port()),
               options.access.tokens.empty()
                   ? "no tokens: loopback only"
                   : std::to_string(options.access.tokens.size()) + " token(s)",
               db);
  (*stop)->Wait();
  spdlog::info("shutting down");
  http.Stop();
  return 0;
}

}  // namespace baton
