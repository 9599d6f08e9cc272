# tests/transport/nats.cmake: JetStream publisher and consumer tests against a real nats-server.
# Included from tests/transport/CMakeLists.txt (needs baton_nats and baton_nats_test_support).
baton_test(jetstream_publisher_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/jetstream_publisher_test.cc
  LIBS baton_nats baton_nats_test_support
  LABELS e2e)
baton_test(jetstream_consumer_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/jetstream_consumer_test.cc
  LIBS baton_nats baton_nats_test_support
  LABELS e2e)
