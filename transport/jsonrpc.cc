#include "transport/jsonrpc.h"

#include "base/json_parse.h"

namespace baton::transport {

using nlohmann::json;

Incoming Classify(const json& v) {
  Incoming in;
  json id = nullptr;
  if (v.is_object() && v.contains("id") && (v["id"].is_string() || v["id"].is_number_integer()))
    id = v["id"];
  auto fail = [&](std::string why) {
    in.ok = false;
    in.error = MakeError(id, kInvalidRequest, "Invalid Request: " + why);
    return in;
  };
  if (!v.is_object()) return fail("a message must be a JSON object");
  if (!v.contains("jsonrpc") || v["jsonrpc"] != "2.0")
    return fail("\"jsonrpc\" must be \"2.0\"");
  Message m;
  m.raw = v;
  if (v.contains("method")) {
    if (!v["method"].is_string()) return fail("\"method\" must be a string");
    m.method = v["method"].get<std::string>();
    if (v.contains("params")) {
      if (!v["params"].is_object() && !v["params"].is_array())
        return fail("\"params\" must be an object");
      m.params = v["params"];
    }
    if (v.contains("id")) {
      const json& raw_id = v["id"];
      if (!raw_id.is_string() && !raw_id.is_number_integer())
        return fail("\"id\" must be a string or an integer");
      m.kind = Message::Kind::kRequest;
      m.id = raw_id;
    } else {
      m.kind = Message::Kind::kNotification;
    }
  } else if (v.contains("result") || v.contains("error")) {
    if (!v.contains("id")) return fail("a response needs an \"id\"");
    m.kind = Message::Kind::kResponse;
    m.id = v["id"];
  } else {
    return fail("missing \"method\"");
  }
  in.ok = true;
  in.message = std::move(m);
  return in;
}

ParsedLine ParseLine(std::string_view line) {
  ParsedLine out;
  if (!JsonDepthWithin(line, kMaxJsonDepth)) {
    Incoming err;
    err.error = MakeError(nullptr, kParseError, "Parse error: " + JsonTooDeepMessage());
    out.items.push_back(std::move(err));
    return out;
  }
  json v = ParseJsonOrDiscarded(line);
  if (v.is_discarded()) {
    Incoming err;
    err.error = MakeError(nullptr, kParseError, "Parse error: the line is not valid JSON");
    out.items.push_back(std::move(err));
    return out;
  }
  if (v.is_array()) {
    out.is_batch = true;
    if (v.empty()) {
      out.is_batch = false;
      Incoming err;
      err.error = MakeError(nullptr, kInvalidRequest, "Invalid Request: empty batch");
      out.items.push_back(std::move(err));
      return out;
    }
    for (const json& e : v) out.items.push_back(Classify(e));
    return out;
  }
  out.items.push_back(Classify(v));
  return out;
}

json MakeResult(const json& id, json result) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json MakeError(const json& id, int code, std::string message, json data) {
  json err = {{"code", code}, {"message", std::move(message)}};
  if (!data.is_null()) err["data"] = std::move(data);
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(err)}};
}

json MakeNotification(std::string method, json params) {
  json n = {{"jsonrpc", "2.0"}, {"method", std::move(method)}};
  if (!params.is_null()) n["params"] = std::move(params);
  return n;
}

std::string Serialize(const json& message) {
  return message.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace baton::transport
