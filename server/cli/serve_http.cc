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
#include <sstream>

#include "base/parse_number.h"
#include "server/background_host.h"
#include "server/cli/event_flags.h"
#include "server/front_end.h"
#include "server/cli/logging.h"
#include "server/cli/serve_assembly.h"
#include "server/cli/news_flags.h"
#include "server/mcp/mcp_http_handler.h"
#include "server/mcp/mcp_session.h"
#include "server/cli/serve_flags.h"
#include "server/jobs/state_paths.h"
#include "transport/http_auth.h"
#include "transport/http_server.h"

namespace baton {

namespace {

int g_signal_pipe = -1;
void OnSignal(int) {
  char c = 1;
  if (g_signal_pipe >= 0) (void)!write(g_signal_pipe, &c, 1);
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

// "HOST:PORT", "[V6]:PORT" or ":PORT" (loopback).
Status ParseAddress(const std::string& addr, std::string& host, int& port) {
  size_t colon = addr.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("--http needs HOST:PORT, got " + addr);
  host = addr.substr(0, colon);
  if (host.empty()) host = "127.0.0.1";
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  BATON_ASSIGN_OR_RETURN(int64_t v, ParseInt64(addr.substr(colon + 1), "--http's port", 0, 65535));
  port = static_cast<int>(v);
  return Status::OK();
}

}  // namespace

int ServeHttp(const Flags& flags) {
  if (Status s = SetUpLogging(flags.Get("log-level").value_or("info"),
                              flags.Get("log-file").value_or(""), "serve-http");
      !s.ok()) {
    fprintf(stderr, "baton: %s\n", s.message().c_str());
    return 2;
  }
  transport::HttpServerOptions options;
  if (Status s = ParseAddress(*flags.Get("http"), options.host, options.port); !s.ok()) {
    fprintf(stderr, "baton: %s\n", s.message().c_str());
    return 2;
  }
  options.session_versions = SupportedProtocolVersions();
  if (auto file = flags.Get("tokens-file")) {
    auto tokens = transport::BearerTokens::ParseFile(*file);
    if (!tokens.ok()) {
      fprintf(stderr, "baton: %s\n", tokens.status().message().c_str());
      return 2;
    }
    options.access.tokens = *tokens;
  } else if (const char* env = std::getenv("BATON_HTTP_TOKENS"); env && *env) {
    auto tokens = transport::BearerTokens::ParseEnv(env);
    if (!tokens.ok()) {
      fprintf(stderr, "baton: %s\n", tokens.status().message().c_str());
      return 2;
    }
    options.access.tokens = *tokens;
  }
  if (!transport::IsLoopbackHost(options.host) && options.access.tokens.empty()) {
    fprintf(stderr,
            "baton: binding %s is not loopback: configure bearer tokens first (--tokens-file FILE "
            "or BATON_HTTP_TOKENS); see docs/http.md\n",
            options.host.c_str());
    return 2;
  }
  options.access.allowed_origins = SplitList(flags.Get("allowed-origins").value_or(""));
  options.access.allowed_hosts = SplitList(flags.Get("allowed-hosts").value_or(""));
  if (!transport::IsLoopbackHost(options.host)) {
    if (options.host != "0.0.0.0" && options.host != "::") options.access.allowed_hosts.push_back(options.host);
    options.access.any_host = options.access.allowed_hosts.empty();
  }
  options.access.local_principal = LocalUser();
  auto max_body = flags.Number("max-body-bytes", static_cast<double>(options.max_body_bytes));
  if (!max_body.ok() || *max_body < 1024) {
    fprintf(stderr, "baton: %s\n",
            !max_body.ok() ? max_body.status().message().c_str()
                           : "--max-body-bytes must be at least 1024");
    return 2;
  }
  options.max_body_bytes = static_cast<size_t>(*max_body);

  int pipefd[2];
  if (pipe(pipefd) != 0) {
    spdlog::error("pipe: {}", strerror(errno));
    return 1;
  }
  g_signal_pipe = pipefd[1];
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

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
  McpHttpHandler handler(server);
  transport::StreamableHttpServer http(options, handler);
  if (Status s = http.Start(); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 1;
  }
  spdlog::info("serving MCP over Streamable HTTP at http://{}:{}/mcp ({}); database {}",
               options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host,
               http.port(),
               options.access.tokens.empty() ? "no tokens: loopback only"
                                             : std::to_string(options.access.tokens.size()) + " token(s)",
               fe.paths().db);
  char c;
  while (read(pipefd[0], &c, 1) < 0 && errno == EINTR) {
  }
  spdlog::info("shutting down");
  // Open subscriptions/listen streams end gracefully: their result is handed to the transport
  // (within a second) before it stops, and Stop() still delivers what streams hold.
  server.notifications().CloseAll();
  handler.Shutdown(/*wait_ms=*/1000);
  http.Stop();
  handler.Shutdown();
  (*serving)->host().Shutdown();  // the runner, then its events, WAL and parts (server/background_host.h)
  g_signal_pipe = -1;
  return 0;
}

}  // namespace baton
