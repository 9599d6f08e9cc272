// tests/transport/fuzz/jsonrpc_codec_fuzz.cc
//
// libFuzzer target for the JSON-RPC codec: any line a client sends over stdio (or an HTTP body)
// must become messages or complete JSON-RPC error responses, never a throw or a crash, and every
// answer must serialize. Built and run by scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "transport/jsonrpc.h"

namespace {

void Require(bool ok) {
  if (!ok) std::abort();
}

// An error item must be what the client is sent: {"jsonrpc":"2.0","id":...,"error":{code,message}}.
void CheckErrorResponse(const nlohmann::json& error) {
  Require(error.is_object());
  Require(error.value("jsonrpc", "") == "2.0");
  Require(error.contains("id"));
  Require(error.contains("error") && error["error"].is_object());
  Require(error["error"].contains("code") && error["error"]["code"].is_number_integer());
  Require(error["error"].contains("message") && error["error"]["message"].is_string());
  (void)baton::transport::Serialize(error);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  baton::transport::ParsedLine parsed = baton::transport::ParseLine(line);
  Require(!parsed.items.empty());
  for (const baton::transport::Incoming& item : parsed.items) {
    if (!item.ok) {
      CheckErrorResponse(item.error);
      continue;
    }
    const baton::transport::Message& m = item.message;
    if (m.kind != baton::transport::Message::Kind::kResponse) Require(!m.method.empty());
    Require(m.params.is_null() || m.params.is_object() || m.params.is_array());
    // What a handler would answer, built from what the client sent, must go back out.
    (void)baton::transport::Serialize(baton::transport::MakeResult(m.id, m.params));
    (void)baton::transport::Serialize(
        baton::transport::MakeError(m.id, baton::transport::kMethodNotFound, m.method));
  }
  return 0;
}
