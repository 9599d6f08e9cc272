# tests/server/event_drainer.cmake: the events outbox drainer and the notify command against a
# real nats-server. Included from tests/server/CMakeLists.txt.
baton_test(event_drainer_format_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/event_drainer_format_test.cc
  LIBS baton_event_drainer
  LABELS unit)
baton_test(event_drainer_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/event_drainer_test.cc
  LIBS baton_event_drainer baton_nats_test_support nlohmann_json::nlohmann_json
  LABELS e2e)
baton_test(notify_command_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/notify_command_test.cc
  LIBS baton_notify baton_event_drainer baton_nats_test_support PkgConfig::HTTPLIB
  LABELS e2e)
# Interop with the official JavaScript client (examples/notifiers/js-subscriber, after `npm ci`).
baton_test(notify_js_subscriber_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/notify_js_subscriber_test.cc
  LIBS baton_event_drainer baton_nats_test_support nlohmann_json::nlohmann_json
  LABELS client)
# The real `baton runner --nats` (skipped when there is no baton binary).
baton_test(event_drainer_baton_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/event_drainer_baton_test.cc
  LIBS baton_event_drainer baton_nats_test_support nlohmann_json::nlohmann_json
  LABELS e2e)
# The background host's start/shutdown order: runner, drainer, parts (server/background_host.h).
baton_test(background_host_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/background_host_test.cc
  LIBS baton_background_host baton_nats_test_support
  LABELS e2e)
