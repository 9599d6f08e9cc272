# tests/server/metrics.cmake: /metrics end to end (real serve --http and baton web over one
# SQLite file, real jobs, promtool from Debian's prometheus package; scripts/setup.sh --test).
baton_test(metrics_http_e2e_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/metrics_http_test.cc
          ${CMAKE_SOURCE_DIR}/tests/transport/http_test_client.cc
  LIBS baton_base nlohmann_json::nlohmann_json
  LABELS e2e)
target_compile_definitions(metrics_http_e2e_test PRIVATE BATON_TEST_VERSION="${PROJECT_VERSION}")
baton_test(metrics_renderer_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/metrics_renderer_test.cc
  LIBS baton_metrics)
