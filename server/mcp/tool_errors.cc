// ToolResult::FromStatus and the one Status -> JSON-RPC error mapping (both declared in
// server/mcp/tool.h).
#include "server/mcp/mcp_server.h"
#include "server/mcp/tool.h"
#include "transport/jsonrpc.h"

namespace baton {

using nlohmann::json;

ToolResult ToolResult::FromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument: return Error("Invalid arguments: " + status.message());
    case StatusCode::kNotFound: return Error("Not found: " + status.message());
    case StatusCode::kFailedPrecondition: return Error(status.message());
    case StatusCode::kPermissionDenied:
      return Error("Denied by policy: " + status.message() + kPolicyDeniedHint);
    case StatusCode::kUnavailable: return Error("Temporarily unavailable, retry: " + status.message());
    default: return Error("Internal error: " + status.message());
  }
}

int JsonRpcErrorCode(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument: return transport::kInvalidParams;
    case StatusCode::kNotFound: return kResourceNotFoundError;
    case StatusCode::kFailedPrecondition: return kNotInitializedError;
    case StatusCode::kUnavailable: return transport::kServerError;
    case StatusCode::kPermissionDenied: return kPolicyDeniedError;
    default: return transport::kInternalError;
  }
}

json JsonRpcError(const json& id, const Status& status, json data) {
  return transport::MakeError(id, JsonRpcErrorCode(status), status.message(), std::move(data));
}

}  // namespace baton
