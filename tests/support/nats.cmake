# tests/support/nats.cmake: a real nats-server for tests. Included from tests/support/CMakeLists.txt
# (or tests/CMakeLists.txt) after baton_test_support is declared.
add_library(baton_nats_test_support STATIC ${CMAKE_CURRENT_LIST_DIR}/nats_server.cc)
target_link_libraries(baton_nats_test_support PUBLIC baton_test_support baton_nats)
