// transport/jsonrpc.h
//
// The JSON-RPC 2.0 codec MCP uses: classifies incoming messages (request, notification,
// response), builds results and errors with the standard codes. Knows nothing of MCP methods.
// Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace baton::transport {

// Standard JSON-RPC error codes.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
// The first of the "server error" range (-32000..-32099): refusals of a valid request for the
// server's state (not initialized, shutting down, too busy).
inline constexpr int kServerError = -32000;

struct Message {
  enum class Kind { kRequest, kNotification, kResponse };
  Kind kind = Kind::kRequest;
  nlohmann::json id;  // string or integer; null for notifications
  std::string method;
  nlohmann::json params;  // object (or null when absent)
  nlohmann::json raw;     // the whole message, for responses
};

// One element of an incoming line: a valid message, or the error response it already earned.
struct Incoming {
  bool ok = false;
  Message message;         // when ok
  nlohmann::json error;    // when !ok: a complete JSON-RPC error response
};

struct ParsedLine {
  bool is_batch = false;
  std::vector<Incoming> items;  // one for a single message
};

// Parses one newline-delimited frame. Never throws: invalid JSON yields one -32700 error item;
// an empty batch one -32600 item.
ParsedLine ParseLine(std::string_view line);
// Classifies an already-parsed JSON value (HTTP bodies).
Incoming Classify(const nlohmann::json& value);

nlohmann::json MakeResult(const nlohmann::json& id, nlohmann::json result);
nlohmann::json MakeError(const nlohmann::json& id, int code, std::string message,
                         nlohmann::json data = nullptr);
nlohmann::json MakeNotification(std::string method, nlohmann::json params);

// Serializes for the wire; invalid UTF-8 in strings is replaced, never thrown on.
std::string Serialize(const nlohmann::json& message);

}  // namespace baton::transport
