// `baton serve --stdio`: one MCP session over stdin/stdout (what Claude Code starts).
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <memory>
#include <set>

#include "base/random_id.h"
#include "server/background_host.h"
#include "server/cli/commands.h"
#include "server/cli/event_flags.h"
#include "server/cli/flags.h"
#include "server/cli/serve_flags.h"
#include "server/front_end.h"
#include "server/mcp/group_commit.h"
#include "server/cli/logging.h"
#include "server/cli/serve_assembly.h"
#include "server/cli/news_flags.h"
#include "server/mcp/mcp_session.h"
#include "server/cli/serve_http.h"
#include "transport/jsonrpc.h"
#include "transport/stdio_transport.h"

namespace baton {

namespace {

constexpr size_t kMaxFrameBytes = 4 << 20;

class StdioResponder final : public Responder {
 public:
  explicit StdioResponder(transport::StdioTransport& io) : io_(io) {}
  void Respond(const nlohmann::json& m) override { io_.Write(m); }
  void Notify(const nlohmann::json& m) override { io_.Write(m); }

 private:
  transport::StdioTransport& io_;
};

}  // namespace

int ServeCommand(const Args& args) {
  std::set<std::string> valued = {"db", "log-level", "log-file", "runner-idle-exit", "concurrency",
                                  "http", "tokens-file", "allowed-origins", "allowed-hosts",
                                  "max-body-bytes"};
  for (const std::string& name : SharedServeFlagNames()) valued.insert(name);
  std::set<std::string> switches = {"stdio", "help"};
  switches.insert(NewsSwitchNames().begin(), NewsSwitchNames().end());
  auto flags = ParseFlags(args, valued, switches);
  bool http = flags.ok() && flags->Get("http").has_value();
  if (!flags.ok() || flags->Has("help") || (flags->Has("stdio") == http)) {
    fprintf(stderr, "%s%s%s",
            flags.ok() ? "" : (flags.status().message() + "\n").c_str(),
            "usage: baton serve --stdio [--db PATH] [--log-level info] [--log-file FILE]\n"
            "       [--runner-idle-exit SECONDS] [--concurrency N]\n",
            (std::string(kServeHttpUsage) + "shared options:\n" + kSharedServeUsage).c_str());
    return flags.ok() && flags->Has("help") ? 0 : 2;
  }
  if (http) return ServeHttp(*flags);
  if (Status s = SetUpLogging(flags->Get("log-level").value_or("info"),
                              flags->Get("log-file").value_or(""), "serve");
      !s.ok()) {
    fprintf(stderr, "baton: %s\n", s.message().c_str());
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  FrontEndOptions fo;
  Config config;
  NewsOptions news;
  if (Status s = ApplyServeFlags(*flags, fo, config, news); !s.ok()) {
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
  transport::StdioTransport io(STDIN_FILENO, STDOUT_FILENO, kMaxFrameBytes);
  // The requests of one read share one commit; their answers wait for it (server/mcp/group_commit.h).
  auto responder = std::make_shared<GroupCommit>(std::make_shared<StdioResponder>(io),
                                                 fe.store(), fe.runner());
  McpSession session(server, {RandomHexId(16), "stdio", LocalUser()});
  session.SetUnsolicited([&io](const nlohmann::json& m) { io.Write(m); });
  spdlog::info("serving MCP over stdio; database {}", fe.paths().db);
  io.Run([&](std::string&& frame) { session.HandleFrame(frame, responder); },
         [&](size_t bytes) {
           responder->Respond(transport::MakeError(
               nullptr, transport::kInvalidRequest,
               "Invalid Request: a message of " + std::to_string(bytes) +
                   " bytes exceeds the limit of " + std::to_string(kMaxFrameBytes) + " bytes"));
         },
         [&](bool begin) { begin ? responder->Begin() : responder->End(); });
  spdlog::info("stdin closed: shutting down (running jobs continue in the runner)");
  server.notifications().CloseAll();
  session.Shutdown();
  (*serving)->Shutdown();
  return 0;
}

}  // namespace baton
