# tests/transport/http.cmake: Streamable HTTP transport tests (real sockets on 127.0.0.1).
# Included from tests/transport/CMakeLists.txt when baton_http exists.
baton_test(http_transport_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/http_transport_test.cc ${CMAKE_CURRENT_LIST_DIR}/http_test_client.cc
          ${CMAKE_CURRENT_LIST_DIR}/sse_stream_test.cc ${CMAKE_CURRENT_LIST_DIR}/http_auth_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/http_session_test.cc ${CMAKE_CURRENT_LIST_DIR}/http_limits_test.cc
  LIBS baton_mcp_http baton_tools)
