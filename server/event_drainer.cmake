# server/event_drainer.cmake: the events outbox -> NATS JetStream drainer. Included from
# server/CMakeLists.txt.
add_library(baton_event_drainer STATIC ${CMAKE_CURRENT_LIST_DIR}/event_drainer.cc)
target_link_libraries(baton_event_drainer PUBLIC baton_storage baton_nats
  PRIVATE nlohmann_json::nlohmann_json spdlog::spdlog)

# `baton notify` (server/notify_command.h): a JetStream consumer that runs a webhook or a command
# per event. httplib.h needs the definitions that PkgConfig::HTTPLIB carries.
add_library(baton_notify STATIC ${CMAKE_CURRENT_LIST_DIR}/notify_command.cc)
target_link_libraries(baton_notify PUBLIC baton_event_drainer nlohmann_json::nlohmann_json
  PRIVATE baton_nats PkgConfig::HTTPLIB spdlog::spdlog)
