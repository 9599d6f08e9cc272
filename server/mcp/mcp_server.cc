#include "server/mcp/mcp_server.h"

#include <algorithm>

#include "server/mcp/mcp_tasks.h"

namespace baton {

using nlohmann::json;

const std::vector<std::string>& SupportedProtocolVersions() {
  static const std::vector<std::string> kVersions = {"2025-03-26", "2025-06-18", "2025-11-25"};
  return kVersions;
}

const std::vector<std::string>& AllProtocolVersions() {
  static const std::vector<std::string> kVersions = {"2026-07-28", "2025-11-25", "2025-06-18",
                                                     "2025-03-26"};
  return kVersions;
}

bool IsModernVersion(const std::string& version) { return version == kModernProtocolVersion; }

McpServer::McpServer(std::string name, std::string version, std::string instructions)
    : name_(std::move(name)), version_(std::move(version)), instructions_(std::move(instructions)) {}

void McpServer::AddTool(std::unique_ptr<Tool> tool) { tools_.push_back(std::move(tool)); }
void McpServer::AddResource(Resource r) { resources_.push_back(std::move(r)); }
void McpServer::AddResourceTemplate(ResourceTemplate t) { templates_.push_back(std::move(t)); }
void McpServer::AddPrompt(Prompt p) { prompts_.push_back(std::move(p)); }

Tool* McpServer::FindTool(const std::string& name) const {
  for (const auto& t : tools_)
    if (t->Definition().at("name") == name) return t.get();
  return nullptr;
}

const Prompt* McpServer::FindPrompt(const std::string& name) const {
  for (const auto& p : prompts_)
    if (p.definition.value("name", "") == name) return &p;
  return nullptr;
}

Result<json> McpServer::ReadResource(const std::string& uri) const {
  for (const auto& r : resources_)
    if (r.definition.value("uri", "") == uri) return r.read(uri);
  for (const auto& t : templates_)
    if (auto vars = MatchUriTemplate(t.definition.value("uriTemplate", ""), uri))
      return t.read(uri, *vars);
  return Status::NotFound("Resource not found: " + uri);
}

bool McpServer::KnowsResource(const std::string& uri) const {
  for (const auto& r : resources_)
    if (r.definition.value("uri", "") == uri) return true;
  for (const auto& t : templates_)
    if (MatchUriTemplate(t.definition.value("uriTemplate", ""), uri)) return true;
  return false;
}

json McpServer::Complete(const json& ref, const json& argument, const json& context) const {
  if (!completer_) return {{"values", json::array()}};
  return completer_(ref, argument, context);
}

json McpServer::ListTools(const std::string& version) const {
  json tools = json::array();
  const bool structured = version >= "2025-06-18";  // title, outputSchema since 2025-06-18
  for (const auto& t : tools_) {
    json def = t->Definition();
    if (!structured) {
      def.erase("title");
      def.erase("outputSchema");
    }
    // 2025-11-25 tasks: tools that can run as a task say so (absent means forbidden).
    if (tasks_ && version == "2025-11-25" && t->SupportsTasks())
      def["execution"] = {{"taskSupport", "optional"}};
    tools.push_back(std::move(def));
  }
  return {{"tools", tools}};
}

json McpServer::ListResources() const {
  json list = json::array();
  for (const auto& r : resources_) list.push_back(r.definition);
  return {{"resources", list}};
}

json McpServer::ListResourceTemplates() const {
  json list = json::array();
  for (const auto& t : templates_) list.push_back(t.definition);
  return {{"resourceTemplates", list}};
}

json McpServer::ListPrompts() const {
  json list = json::array();
  for (const auto& p : prompts_) list.push_back(p.definition);
  return {{"prompts", list}};
}

json McpServer::Capabilities(const std::string& version) const {
  json caps = {{"tools", {{"listChanged", false}}}};
  if (!IsModernVersion(version)) caps["logging"] = json::object();  // logging/setLevel
  // Modern: resource subscriptions ride on subscriptions/listen (resourceSubscriptions).
  if (has_resources()) caps["resources"] = {{"subscribe", true}, {"listChanged", false}};
  // Claude Code channels exist only on the 2025 path (ignored elsewhere, issue 9).
  if (channels_ && !IsModernVersion(version))
    caps["experimental"] = {{"claude/channel", json::object()}};
  if (has_prompts()) caps["prompts"] = {{"listChanged", false}};
  if (has_completions()) caps["completions"] = json::object();
  if (tasks_ && IsModernVersion(version))
    caps["extensions"][kTasksExtension] = json::object();
  else if (tasks_ && version == "2025-11-25")
    caps["tasks"] = {{"list", json::object()},
                     {"cancel", json::object()},
                     {"requests", {{"tools", {{"call", json::object()}}}}}};
  return caps;
}

json McpServer::ServerInfo() const {
  return {{"name", name_}, {"title", "Baton: durable background jobs"}, {"version", version_}};
}

std::optional<std::map<std::string, std::string>> MatchUriTemplate(const std::string& tmpl,
                                                                   const std::string& uri) {
  std::map<std::string, std::string> vars;
  size_t t = 0, u = 0;
  while (t < tmpl.size()) {
    if (tmpl[t] == '{') {
      size_t close = tmpl.find('}', t);
      if (close == std::string::npos) return std::nullopt;
      std::string name = tmpl.substr(t + 1, close - t - 1);
      t = close + 1;
      // The variable runs to the next literal character of the template (or a '/').
      char stop = t < tmpl.size() ? tmpl[t] : '\0';
      size_t end = u;
      while (end < uri.size() && uri[end] != '/' && (stop == '\0' || uri[end] != stop)) ++end;
      if (end == u) return std::nullopt;
      vars[name] = uri.substr(u, end - u);
      u = end;
    } else {
      if (u >= uri.size() || uri[u] != tmpl[t]) return std::nullopt;
      ++t;
      ++u;
    }
  }
  if (u != uri.size()) return std::nullopt;
  return vars;
}

}  // namespace baton
