// server/mcp/mcp_server.h
//
// McpServer holds what every MCP session of a server shares: its identity and instructions,
// its tools, resources, resource templates, prompts and completion, and the request guard.
// Features are added before serving; afterwards the server is read-only and thread-safe.
//
// Protocol revisions (modelcontextprotocol/modelcontextprotocol, docs/specification/<rev>/):
//   legacy (initialize handshake, sessions): 2025-03-26, 2025-06-18, 2025-11-25;
//   modern (stateless, per-request `_meta`, `server/discover`): 2026-07-28.
// A dual-era server (2026-07-28 basic/versioning.mdx) serves both: `initialize` selects the
// legacy era for the connection/session; a request carrying modern `_meta` is served statelessly.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "server/mcp/notification_hub.h"
#include "server/mcp/tool.h"

namespace baton {

inline constexpr const char* kLatestProtocolVersion = "2025-11-25";  // latest legacy revision
inline constexpr const char* kModernProtocolVersion = "2026-07-28";
// Legacy revisions, oldest first.
const std::vector<std::string>& SupportedProtocolVersions();
// Every revision served, newest first (server/discover `supportedVersions`).
const std::vector<std::string>& AllProtocolVersions();
bool IsModernVersion(const std::string& version);

// MCP error codes beyond JSON-RPC's.
inline constexpr int kPolicyDeniedError = -32001;
// A request other than initialize/ping before the session was initialized (stdio; HTTP answers
// a request without a session id with the same code).
inline constexpr int kNotInitializedError = -32000;
inline constexpr int kResourceNotFoundError = -32002;          // 2025-11-25 server/resources.mdx
inline constexpr int kHeaderMismatchError = -32020;            // 2026-07-28 schema.ts
inline constexpr int kMissingClientCapabilityError = -32021;   // 2026-07-28 schema.ts
inline constexpr int kUnsupportedProtocolVersionError = -32022;  // 2026-07-28 schema.ts

// A resource: its definition ({uri, name, title?, description?, mimeType?}) and a reader that
// returns the `contents` array of resources/read.
struct Resource {
  nlohmann::json definition;
  std::function<Result<nlohmann::json>(const std::string& uri)> read;
};

// A resource template ({uriTemplate, name, ...}); RFC 6570 level-1 templates ({var} matches
// one path segment). The reader gets the URI and the variables.
struct ResourceTemplate {
  nlohmann::json definition;
  std::function<Result<nlohmann::json>(const std::string& uri,
                                       const std::map<std::string, std::string>& vars)>
      read;
};

// A prompt: its definition ({name, title?, description?, arguments?}) and a getter that returns
// the prompts/get result ({description?, messages}).
struct Prompt {
  nlohmann::json definition;
  std::function<Result<nlohmann::json>(const nlohmann::json& arguments)> get;
};

// completion/complete: (ref, argument {name, value}, context) -> {values, total?, hasMore?}.
using Completer = std::function<nlohmann::json(const nlohmann::json& ref,
                                               const nlohmann::json& argument,
                                               const nlohmann::json& context)>;

class RequestGuard;
class McpTasks;

// Told of every request a session answered (server/metrics/request_tally.h counts them for
// /metrics). `method` is "unknown" for methods the server does not serve, so that clients
// cannot grow the label set; `outcome` is "ok", "error" (a JSON-RPC error), "tool_error" (a
// tool result with isError) or "cancelled" (no response). Thread-safe; must not block.
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void Answered(const std::string& transport, const std::string& method,
                        const char* outcome) = 0;
};

class McpServer {
 public:
  McpServer(std::string name, std::string version, std::string instructions);

  // Every request is checked by `guard` (not owned; may be null: allow all).
  void SetGuard(RequestGuard* guard) { guard_ = guard; }
  RequestGuard* guard() const { return guard_; }
  // MCP tasks on jobs (not owned; may be null: no tasks). Declared in capabilities (2025-11-25
  // `tasks`, 2026-07-28 extension) and in tools/list (execution.taskSupport).
  void SetTasks(McpTasks* tasks) { tasks_ = tasks; }
  McpTasks* tasks() const { return tasks_; }
  // Told of every answered request (not owned; may be null).
  void SetRequestObserver(RequestObserver* observer) { observer_ = observer; }
  RequestObserver* request_observer() const { return observer_; }

  void AddTool(std::unique_ptr<Tool> tool);
  void AddResource(Resource resource);
  void AddResourceTemplate(ResourceTemplate resource_template);
  void AddPrompt(Prompt prompt);
  void SetCompleter(Completer completer) { completer_ = std::move(completer); }

  Tool* FindTool(const std::string& name) const;
  const Prompt* FindPrompt(const std::string& name) const;
  // resources/read: a fixed resource, else the first matching template. NotFound otherwise.
  Result<nlohmann::json> ReadResource(const std::string& uri) const;
  nlohmann::json Complete(const nlohmann::json& ref, const nlohmann::json& argument,
                          const nlohmann::json& context) const;

  // List results for a protocol version (fields that revision does not know are left out).
  nlohmann::json ListTools(const std::string& protocol_version) const;
  nlohmann::json ListResources() const;
  nlohmann::json ListResourceTemplates() const;
  nlohmann::json ListPrompts() const;

  // Where features push news to clients outside requests (subscriptions/listen streams and
  // legacy sessions). See server/mcp/notification_hub.h.
  NotificationHub& notifications() { return hub_; }
  // Claude Code channels (issue 9): declare capabilities.experimental["claude/channel"] on the
  // 2025 path and let job news send notifications/claude/channel. On by default.
  void SetChannels(bool on) { channels_ = on; }
  bool channels() const { return channels_; }
  // Answer server/discover with -32601, as a legacy-only server does, so that dual-era clients
  // fall back to initialize (the 2025 path: channels, no 2026 tasks extension). Off by default.
  void SetPreferLegacy(bool on) { prefer_legacy_ = on; }
  bool prefer_legacy() const { return prefer_legacy_; }
  // True when resources/read could serve `uri` (a fixed resource or a template match).
  bool KnowsResource(const std::string& uri) const;

  bool has_resources() const { return !resources_.empty() || !templates_.empty(); }
  bool has_prompts() const { return !prompts_.empty(); }
  bool has_completions() const { return static_cast<bool>(completer_); }
  // ServerCapabilities for a revision.
  nlohmann::json Capabilities(const std::string& protocol_version) const;
  nlohmann::json ServerInfo() const;
  const std::string& instructions() const { return instructions_; }

 private:
  std::string name_, version_, instructions_;
  std::vector<std::unique_ptr<Tool>> tools_;
  std::vector<Resource> resources_;
  std::vector<ResourceTemplate> templates_;
  std::vector<Prompt> prompts_;
  Completer completer_;
  RequestGuard* guard_ = nullptr;
  McpTasks* tasks_ = nullptr;
  RequestObserver* observer_ = nullptr;
  bool channels_ = true;
  bool prefer_legacy_ = false;
  NotificationHub hub_;
};

// Matches an RFC 6570 level-1 template against a URI; nullopt when it does not match.
std::optional<std::map<std::string, std::string>> MatchUriTemplate(const std::string& tmpl,
                                                                   const std::string& uri);

}  // namespace baton
