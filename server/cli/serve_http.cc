// `baton serve --http ADDR`: one MCP service over Streamable HTTP for many clients. The
// composition root of that process: the background host (its parts), the front-end (which
// starts a detached runner on demand, as stdio front-ends do: jobs outlive the service), the MCP
// server with the job tools, the HTTP transport. Shutdown order (SIGTERM/SIGINT): stop the HTTP
// server (ends streams and sessions), wait for stateless requests, shut the background host
// down (server/background_host.h), close the database. Running jobs go on in the runner.
#include "server/cli/serve_http.h"

#include <errno.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "server/cli/http_flags.h"
#include "server/cli/metrics_http.h"
#include "server/front_end.h"
#include "server/cli/logging.h"
#include "server/cli/stop_signal.h"
#include "server/cli/serve_assembly.h"
#include "server/cli/news_flags.h"
#include "server/mcp/mcp_http_handler.h"
#include "server/mcp/mcp_session.h"
#include "server/metrics/metrics_page.h"
#include "transport/http_auth.h"
#include "transport/http_server.h"

namespace baton {

int ServeHttp(const Flags& flags) {
  if (Status s = SetUpLogging(flags.Get("log-level").value_or("info"),
                              flags.Get("log-file").value_or(""), "serve-http");
      !s.ok()) {
    fprintf(stderr, "baton: %s\n", s.message().c_str());
    return 2;
  }
  transport::HttpServerOptions options;
  if (Status s = HttpOptionsFromFlags(flags, *flags.Get("http"), "--http", &options); !s.ok()) {
    fprintf(stderr, "baton: %s\n", s.message().c_str());
    return 2;
  }
  options.session_versions = SupportedProtocolVersions();
  auto max_body = flags.Number("max-body-bytes", static_cast<double>(options.max_body_bytes));
  if (!max_body.ok() || *max_body < 1024) {
    fprintf(stderr, "baton: %s\n",
            !max_body.ok() ? max_body.status().message().c_str()
                           : "--max-body-bytes must be at least 1024");
    return 2;
  }
  options.max_body_bytes = static_cast<size_t>(*max_body);

  auto stop = StopSignal::Install();
  if (!stop.ok()) {
    spdlog::error("{}", stop.status().ToString());
    return 1;
  }

  // Every flag is read before anything starts.
  FrontEndOptions fo;
  Config config;
  NewsOptions news;
  if (Status s = ApplyServeFlags(flags, fo, config, news); !s.ok()) {
    spdlog::error("{}", s.message());
    return 2;
  }
  auto serving = ServeAssembly::Open(fo, news);
  if (!serving.ok()) {
    spdlog::error("{}", serving.status().message());
    return 1;
  }
  FrontEnd& fe = (*serving)->front_end();
  McpServer& server = (*serving)->server();
  // /metrics: this process's request counts go to the database, and the page reads them back
  // with every other total (server/metrics/metrics_page.h).
  MetricsPage metrics_page((*serving)->metrics_store(), &(*serving)->tally(), BATON_VERSION,
                           SystemClock::Instance());
  options.pages["/metrics"] = MetricsHttpPage(metrics_page);
  McpHttpHandler handler(server);
  transport::StreamableHttpServer http(options, handler);
  if (Status s = http.Start(); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 1;
  }
  spdlog::info("serving MCP over Streamable HTTP at {}/mcp, metrics at /metrics ({}); "
               "database {}",
               HttpBaseUrl(options.host, http.port()),
               options.access.tokens.empty() ? "no tokens: loopback only"
                                             : std::to_string(options.access.tokens.size()) + " token(s)",
               fe.paths().db);
  (*stop)->Wait();
  spdlog::info("shutting down");
  // Open subscriptions/listen streams end gracefully: their result is handed to the transport
  // (within a second) before it stops, and Stop() still delivers what streams hold.
  server.notifications().CloseAll();
  handler.Shutdown(/*wait_ms=*/1000);
  http.Stop();
  handler.Shutdown();
  (*serving)->Shutdown();  // the request tally's last counts, then the host's parts
  return 0;
}

}  // namespace baton
