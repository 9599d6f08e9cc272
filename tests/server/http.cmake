# tests/server/http.cmake: `baton serve --http` end to end (real binary, real sockets) and the
# protocol eras over stdio. Included from tests/server/CMakeLists.txt when baton_http exists.
baton_test(serve_http_e2e_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/http_serve_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/news_http_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/deep_json_http_test.cc
          ${CMAKE_SOURCE_DIR}/tests/transport/http_test_client.cc
  LIBS baton_base baton_storage nlohmann_json::nlohmann_json
  LABELS e2e)
