// tests/conformance/fixtures.h
//
// The fixture tools, resources and prompts the official MCP conformance suite
// (@modelcontextprotocol/conformance 0.1.16 and 0.2.0-alpha.12) calls by name, modelled on the
// suite's reference server (examples/servers/typescript/everything-server.ts): test_simple_text,
// test_image_content, test_sampling, test://static-text, test_simple_prompt, ...
#pragma once

#include "server/mcp/mcp_server.h"

namespace baton::conformance {

void RegisterFixtures(McpServer& server);

}  // namespace baton::conformance
