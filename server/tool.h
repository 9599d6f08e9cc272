// server/tool.h
//
// An MCP tool as the session sees it: a definition (name, title, description, schemas,
// annotations) and a call. Tools live in tools/, one per file, and call the job service; the
// session validates nothing but the envelope, so each tool validates its own arguments and
// answers bad ones with a ToolResult error that tells the agent what to fix.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "storage/job.h"

namespace baton {

struct ToolCallContext {
  Origin origin;
  std::string protocol_version;
  // Sends notifications/progress when the client asked for progress; no-op otherwise.
  std::function<void(double progress, std::optional<double> total, const std::string& message)>
      progress;
  // Becomes true when the client cancels the request or the session ends.
  const std::atomic<bool>* cancelled = nullptr;
};

struct ToolResult {
  nlohmann::json structured;  // structuredContent (also sent as a text block)
  std::string error;          // non-empty: isError with this text
  bool is_error() const { return !error.empty(); }

  static ToolResult Ok(nlohmann::json structured) { return {std::move(structured), ""}; }
  static ToolResult Error(std::string message) { return {nullptr, std::move(message)}; }
  // A failed Status as a message an agent can act on.
  static ToolResult FromStatus(const Status& status);
};

class Tool {
 public:
  virtual ~Tool() = default;
  // {name, title, description, inputSchema, outputSchema, annotations}
  virtual const nlohmann::json& Definition() const = 0;
  // True when this call may wait (the session runs it on its own thread).
  virtual bool MayBlock(const nlohmann::json& /*arguments*/) const { return false; }
  virtual ToolResult Call(const nlohmann::json& arguments, ToolCallContext& ctx) = 0;

  std::string name() const { return Definition().at("name").get<std::string>(); }
};

}  // namespace baton
