// tests/conformance/conformance_server.cc
//
// A small MCP server for the official conformance suite: baton's own transport and protocol
// libraries (StreamableHttpServer, McpHttpHandler, McpSession) with the suite's fixture tools,
// resources and prompts instead of baton's job tools.
//
//   conformance_server [--port N]   (0, the default: any free port)
// Prints "listening http://127.0.0.1:PORT/mcp" on stdout once it accepts connections; stops on
// SIGTERM/SIGINT.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "server/mcp/mcp_http_handler.h"
#include "server/mcp/mcp_server.h"
#include "tests/conformance/fixtures.h"
#include "transport/http_server.h"

namespace {
int g_pipe = -1;
void OnSignal(int) {
  char c = 1;
  if (g_pipe >= 0) (void)!write(g_pipe, &c, 1);
}
}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: conformance_server [--port N]\n");
      return 2;
    }
  }
  spdlog::set_default_logger(spdlog::default_logger()->clone("conformance"));
  spdlog::set_level(spdlog::level::warn);
  int fds[2];
  if (pipe(fds) != 0) return 1;
  g_pipe = fds[1];
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  baton::McpServer server("mcp-conformance-test-server", "1.0.0",
                          "Fixtures for the MCP conformance suite (baton's protocol stack).");
  baton::conformance::RegisterFixtures(server);
  baton::McpHttpHandler handler(server);
  baton::transport::HttpServerOptions options;
  options.port = port;
  // The suite runs ~30 scenarios in a few seconds and its clients leave their GET streams open
  // (they close without DELETE); a dead stream is noticed at the second keep-alive. Room for them,
  // so a resuming GET (server-sse-polling) is never refused for lack of stream slots.
  options.worker_threads = 160;
  options.max_sse_streams = 96;
  options.max_pending_posts = 48;
  options.session_versions = baton::SupportedProtocolVersions();
  baton::transport::StreamableHttpServer http(options, handler);
  if (auto s = http.Start(); !s.ok()) {
    std::fprintf(stderr, "conformance_server: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("listening http://127.0.0.1:%d/mcp\n", http.port());
  std::fflush(stdout);
  char c;
  while (read(fds[0], &c, 1) < 0) {
  }
  http.Stop();
  handler.Shutdown();
  return 0;
}
