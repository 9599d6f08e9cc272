# server/http.cmake: MCP resources/prompts/completion/discover (part of the MCP session in
# baton_core), the Streamable HTTP binding and `baton serve --http`. Included at the end of
# server/CMakeLists.txt (after the baton target exists).
target_sources(baton_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/mcp_server.cc
  ${CMAKE_CURRENT_LIST_DIR}/mcp_methods.cc)
add_library(baton_mcp_http STATIC ${CMAKE_CURRENT_LIST_DIR}/mcp_http_handler.cc)
target_link_libraries(baton_mcp_http PUBLIC baton_core baton_http)
target_sources(baton PRIVATE ${CMAKE_CURRENT_LIST_DIR}/serve_http.cc)
target_link_libraries(baton PRIVATE baton_mcp_http)
