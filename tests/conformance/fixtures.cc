#include "tests/conformance/fixtures.h"

#include <chrono>
#include <thread>

namespace baton::conformance {

namespace {

using nlohmann::json;

// A 1x1 red PNG and a minimal WAV, as the reference server sends them.
constexpr const char* kPng =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
constexpr const char* kWav = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

using Handler = std::function<ToolResult(const json& args, ToolCallContext& ctx)>;

class FixtureTool final : public Tool {
 public:
  FixtureTool(json definition, Handler handler)
      : definition_(std::move(definition)), handler_(std::move(handler)) {}
  const json& Definition() const override { return definition_; }
  ToolResult Run(const ToolRequest& request, ToolCallContext& ctx) override {
    return handler_(request.arguments, ctx);
  }

 private:
  json definition_;
  Handler handler_;
};

json Schema(json properties = json::object(), json required = json::array()) {
  json s = {{"type", "object"}, {"properties", properties}};
  if (!required.empty()) s["required"] = required;
  return s;
}

json Text(const std::string& text) { return {{"type", "text"}, {"text", text}}; }

void Add(McpServer& server, const std::string& name, const std::string& description, json schema,
         Handler handler) {
  server.AddTool(std::make_unique<FixtureTool>(
      json{{"name", name}, {"description", description}, {"inputSchema", std::move(schema)}},
      std::move(handler)));
}

void Sleep(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// Asks the client to elicit `schema` and reports the answer as text.
ToolResult Elicit(ToolCallContext& ctx, const std::string& message, const json& schema,
                  const std::string& prefix) {
  auto r = ctx.request_client("elicitation/create",
                              {{"mode", "form"}, {"message", message}, {"requestedSchema", schema}});
  if (!r.ok())
    return ToolResult::Content(json::array({Text("Elicitation not supported or error: " +
                                                 r.status().message())}));
  return ToolResult::Content(json::array(
      {Text(prefix + "action=" + r->value("action", "") + ", content=" +
            r->value("content", json::object()).dump())}));
}

void AddTools(McpServer& s) {
  Add(s, "test_simple_text", "Tests simple text content response", Schema(), [](auto&, auto&) {
    return ToolResult::Content(json::array({Text("This is a simple text response for testing.")}));
  });
  Add(s, "test_image_content", "Tests image content response", Schema(), [](auto&, auto&) {
    return ToolResult::Content(
        json::array({{{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}}}));
  });
  Add(s, "test_audio_content", "Tests audio content response", Schema(), [](auto&, auto&) {
    return ToolResult::Content(
        json::array({{{"type", "audio"}, {"data", kWav}, {"mimeType", "audio/wav"}}}));
  });
  Add(s, "test_embedded_resource", "Tests embedded resource content response", Schema(),
      [](auto&, auto&) {
        return ToolResult::Content(json::array(
            {{{"type", "resource"},
              {"resource", {{"uri", "test://embedded-resource"},
                            {"mimeType", "text/plain"},
                            {"text", "This is an embedded resource content."}}}}}));
      });
  Add(s, "test_multiple_content_types",
      "Tests response with multiple content types (text, image, resource)", Schema(),
      [](auto&, auto&) {
        return ToolResult::Content(json::array(
            {Text("Multiple content types test:"),
             {{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}},
             {{"type", "resource"},
              {"resource", {{"uri", "test://mixed-content-resource"},
                            {"mimeType", "application/json"},
                            {"text", json{{"test", "data"}, {"value", 123}}.dump()}}}}}));
      });
  Add(s, "test_tool_with_logging", "Tests tool that emits log messages during execution",
      Schema(), [](auto&, ToolCallContext& ctx) {
        ctx.log("info", "Tool execution started");
        Sleep(50);
        ctx.log("info", "Tool processing data");
        Sleep(50);
        ctx.log("info", "Tool execution completed");
        return ToolResult::Content(json::array({Text("Tool with logging executed successfully")}));
      });
  Add(s, "test_tool_with_progress", "Tests tool that reports progress notifications", Schema(),
      [](auto&, ToolCallContext& ctx) {
        for (int step : {0, 50, 100}) {
          ctx.progress(step, 100, "Completed step " + std::to_string(step) + " of 100");
          if (step < 100) Sleep(50);
        }
        return ToolResult::Content(json::array({Text("Progress reported")}));
      });
  Add(s, "test_error_handling", "Tests error response handling", Schema(), [](auto&, auto&) {
    return ToolResult::Error("This tool intentionally returns an error for testing");
  });
  Add(s, "test_reconnection",
      "Tests SSE stream disconnection and client reconnection (SEP-1699): the server closes "
      "the stream mid-call and sends the result after the client reconnects.",
      Schema(), [](auto&, ToolCallContext& ctx) {
        ctx.close_stream();
        Sleep(100);
        return ToolResult::Content(json::array(
            {Text("Reconnection test completed successfully. If you received this, the client "
                  "properly reconnected after stream closure.")}));
      });
  Add(s, "test_sampling", "Tests server-initiated sampling (LLM completion request)",
      Schema({{"prompt", {{"type", "string"}, {"description", "The prompt to send to the LLM"}}}},
             {"prompt"}),
      [](const json& args, ToolCallContext& ctx) {
        json params = {{"messages", json::array({{{"role", "user"},
                                                  {"content", Text(args.value("prompt", ""))}}})},
                       {"maxTokens", 100}};
        auto r = ctx.request_client("sampling/createMessage", params);
        if (!r.ok())
          return ToolResult::Content(json::array(
              {Text("Sampling not supported or error: " + r.status().message())}));
        std::string text = r->contains("content") && (*r)["content"].is_object()
                               ? (*r)["content"].value("text", "No response")
                               : "No response";
        return ToolResult::Content(json::array({Text("LLM response: " + text)}));
      });
  Add(s, "test_elicitation", "Tests server-initiated elicitation (user input request)",
      Schema({{"message", {{"type", "string"}, {"description", "The message to show the user"}}}},
             {"message"}),
      [](const json& args, ToolCallContext& ctx) {
        json schema = Schema({{"response", {{"type", "string"}, {"description", "User's response"}}}},
                             {"response"});
        return Elicit(ctx, args.value("message", ""), schema, "User response: ");
      });
  Add(s, "test_elicitation_sep1034_defaults", "Tests elicitation with default values per SEP-1034",
      Schema(), [](auto&, ToolCallContext& ctx) {
        json props = {
            {"name", {{"type", "string"}, {"description", "User name"}, {"default", "John Doe"}}},
            {"age", {{"type", "integer"}, {"description", "User age"}, {"default", 30}}},
            {"score", {{"type", "number"}, {"description", "User score"}, {"default", 95.5}}},
            {"status",
             {{"type", "string"},
              {"description", "User status"},
              {"enum", {"active", "inactive", "pending"}},
              {"default", "active"}}},
            {"verified",
             {{"type", "boolean"}, {"description", "Verification status"}, {"default", true}}}};
        return Elicit(ctx, "Please review and update the form fields with defaults",
                      {{"type", "object"}, {"properties", props}, {"required", json::array()}},
                      "Elicitation completed: ");
      });
  Add(s, "test_elicitation_sep1330_enums",
      "Tests elicitation with enum schema improvements per SEP-1330", Schema(),
      [](auto&, ToolCallContext& ctx) {
        auto titled = [](const char* prefix) {
          json a = json::array();
          const char* names[] = {"First", "Second", "Third"};
          for (int i = 0; i < 3; ++i)
            a.push_back({{"const", "value" + std::to_string(i + 1)},
                         {"title", std::string(names[i]) + " " + prefix}});
          return a;
        };
        json props = {
            {"untitledSingle",
             {{"type", "string"}, {"description", "Select one option"},
              {"enum", {"option1", "option2", "option3"}}}},
            {"titledSingle",
             {{"type", "string"}, {"description", "Select one option with titles"},
              {"oneOf", titled("Option")}}},
            {"legacyEnum",
             {{"type", "string"}, {"description", "Select one option (legacy)"},
              {"enum", {"opt1", "opt2", "opt3"}},
              {"enumNames", {"Option One", "Option Two", "Option Three"}}}},
            {"untitledMulti",
             {{"type", "array"}, {"description", "Select multiple options"}, {"minItems", 1},
              {"maxItems", 3},
              {"items", {{"type", "string"}, {"enum", {"option1", "option2", "option3"}}}}}},
            {"titledMulti",
             {{"type", "array"}, {"description", "Select multiple options with titles"},
              {"minItems", 1}, {"maxItems", 3}, {"items", {{"anyOf", titled("Choice")}}}}}};
        return Elicit(ctx, "Please select options from the enum fields",
                      {{"type", "object"}, {"properties", props}, {"required", json::array()}},
                      "Elicitation completed: ");
      });
  json schema2020 = {
      {"$schema", "https://json-schema.org/draft/2020-12/schema"},
      {"type", "object"},
      {"$defs",
       {{"address",
         {{"type", "object"},
          {"properties", {{"street", {{"type", "string"}}}, {"city", {{"type", "string"}}}}}}}}},
      {"properties", {{"name", {{"type", "string"}}}, {"address", {{"$ref", "#/$defs/address"}}}}},
      {"additionalProperties", false}};
  Add(s, "json_schema_2020_12_tool",
      "Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)", schema2020,
      [](const json& args, auto&) {
        return ToolResult::Content(
            json::array({Text("JSON Schema 2020-12 tool called with: " + args.dump())}));
      });
  // 2026-07-28 server-stateless diagnostics: log only when the request's _meta asks for it; a
  // server-to-client request is never sent on a modern response stream (no MRTR here: the
  // request fails and the tool reports it).
  Add(s, "test_logging_tool", "Emits a log message (only when the request sets a log level)",
      Schema(), [](auto&, ToolCallContext& ctx) {
        ctx.log("info", "test_logging_tool ran");
        return ToolResult::Content(json::array({Text("logged")}));
      });
  Add(s, "test_streaming_elicitation", "Asks the client for input while the call streams",
      Schema(), [](auto&, ToolCallContext& ctx) {
        json schema = Schema({{"response", {{"type", "string"}}}}, {"response"});
        return Elicit(ctx, "Please answer", schema, "Elicitation: ");
      });
  Add(s, "test_missing_capability",
      "Needs the client's sampling capability (2026-07-28 MissingRequiredClientCapabilityError)",
      Schema(), [](auto&, ToolCallContext& ctx) {
        if (!ctx.client_capabilities.contains("sampling"))
          return ToolResult::ProtocolError(kMissingClientCapabilityError,
                                           "This tool needs the client's sampling capability",
                                           {{"requiredCapabilities", {{"sampling", json::object()}}}});
        return ToolResult::Content(json::array({Text("sampling is declared")}));
      });
}

void AddResources(McpServer& s) {
  auto text = [](std::string uri, std::string mime, std::string body) {
    return [uri, mime, body](const std::string&) -> Result<json> {
      return json::array({{{"uri", uri}, {"mimeType", mime}, {"text", body}}});
    };
  };
  s.AddResource({{{"uri", "test://static-text"}, {"name", "static-text"},
                  {"title", "Static Text Resource"},
                  {"description", "A static text resource for testing"},
                  {"mimeType", "text/plain"}},
                 text("test://static-text", "text/plain",
                      "This is the content of the static text resource.")});
  s.AddResource({{{"uri", "test://static-binary"}, {"name", "static-binary"},
                  {"title", "Static Binary Resource"},
                  {"description", "A static binary resource (image) for testing"},
                  {"mimeType", "image/png"}},
                 [](const std::string&) -> Result<json> {
                   return json::array({{{"uri", "test://static-binary"},
                                        {"mimeType", "image/png"},
                                        {"blob", kPng}}});
                 }});
  s.AddResource({{{"uri", "test://watched-resource"}, {"name", "watched-resource"},
                  {"title", "Watched Resource"},
                  {"description", "A resource clients may subscribe to"},
                  {"mimeType", "text/plain"}},
                 text("test://watched-resource", "text/plain", "Watched resource content")});
  s.AddResourceTemplate(
      {{{"uriTemplate", "test://template/{id}/data"}, {"name", "template"},
        {"title", "Resource Template"},
        {"description", "A resource template with parameter substitution"},
        {"mimeType", "application/json"}},
       [](const std::string& uri, const std::map<std::string, std::string>& vars) -> Result<json> {
         std::string id = vars.at("id");
         json body = {{"id", id}, {"templateTest", true}, {"data", "Data for ID: " + id}};
         return json::array(
             {{{"uri", uri}, {"mimeType", "application/json"}, {"text", body.dump()}}});
       }});
}

json Message(json content) { return {{"role", "user"}, {"content", std::move(content)}}; }

void AddPrompts(McpServer& s) {
  s.AddPrompt({{{"name", "test_simple_prompt"}, {"title", "Simple Test Prompt"},
                {"description", "A simple prompt without arguments"}},
               [](const json&) -> Result<json> {
                 return json{{"messages",
                              json::array({Message(Text("This is a simple prompt for testing."))})}};
               }});
  s.AddPrompt({{{"name", "test_prompt_with_arguments"}, {"title", "Prompt With Arguments"},
                {"description", "A prompt with required arguments"},
                {"arguments", json::array({{{"name", "arg1"}, {"description", "First test argument"},
                                            {"required", true}},
                                           {{"name", "arg2"}, {"description", "Second test argument"},
                                            {"required", true}}})}},
               [](const json& a) -> Result<json> {
                 std::string text = "Prompt with arguments: arg1='" + a.value("arg1", "") +
                                    "', arg2='" + a.value("arg2", "") + "'";
                 return json{{"messages", json::array({Message(Text(text))})}};
               }});
  s.AddPrompt({{{"name", "test_prompt_with_embedded_resource"},
                {"title", "Prompt With Embedded Resource"},
                {"description", "A prompt that includes an embedded resource"},
                {"arguments", json::array({{{"name", "resourceUri"},
                                            {"description", "URI of the resource to embed"},
                                            {"required", true}}})}},
               [](const json& a) -> Result<json> {
                 json resource = {{"type", "resource"},
                                  {"resource", {{"uri", a.value("resourceUri", "")},
                                                {"mimeType", "text/plain"},
                                                {"text", "Embedded resource content for testing."}}}};
                 return json{{"messages",
                              json::array({Message(resource),
                                           Message(Text("Please process the embedded resource above."))})}};
               }});
  s.AddPrompt({{{"name", "test_prompt_with_image"}, {"title", "Prompt With Image"},
                {"description", "A prompt that includes image content"}},
               [](const json&) -> Result<json> {
                 json image = {{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}};
                 return json{{"messages", json::array({Message(image),
                                                       Message(Text("Please analyze the image above."))})}};
               }});
}

}  // namespace

void RegisterFixtures(McpServer& server) {
  AddTools(server);
  AddResources(server);
  AddPrompts(server);
  server.SetCompleter([](const json&, const json&, const json&) {
    return json{{"values", json::array()}, {"total", 0}, {"hasMore", false}};
  });
}

}  // namespace baton::conformance
