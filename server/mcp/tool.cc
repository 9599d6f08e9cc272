#include "server/mcp/tool.h"

namespace baton {

Result<std::unique_ptr<ToolRequest>> Tool::Parse(const nlohmann::json& arguments) const {
  auto request = std::make_unique<ToolRequest>();
  request->arguments = arguments;
  return request;
}

ToolResult Tool::Call(const nlohmann::json& arguments, ToolCallContext& ctx) {
  auto request = Parse(arguments);
  if (!request.ok()) return ToolResult::FromStatus(request.status());
  return Run(**request, ctx);
}

}  // namespace baton
