# transport/http.cmake: MCP Streamable HTTP over cpp-httplib 0.11.4 (Debian). Included from
# transport/CMakeLists.txt. PkgConfig::HTTPLIB is PUBLIC: every translation unit that includes
# httplib.h must see its compile definitions (class layouts depend on them).
add_library(baton_http STATIC
  ${CMAKE_CURRENT_LIST_DIR}/bounded_http_server.cc
  ${CMAKE_CURRENT_LIST_DIR}/http_auth.cc
  ${CMAKE_CURRENT_LIST_DIR}/http_exchange.cc
  ${CMAKE_CURRENT_LIST_DIR}/http_server.cc
  ${CMAKE_CURRENT_LIST_DIR}/http_request_head.cc
  ${CMAKE_CURRENT_LIST_DIR}/http_session.cc
  ${CMAKE_CURRENT_LIST_DIR}/sse_stream.cc)
target_link_libraries(baton_http PUBLIC baton_transport PkgConfig::HTTPLIB PRIVATE spdlog::spdlog)
