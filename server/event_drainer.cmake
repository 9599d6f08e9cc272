# server/event_drainer.cmake: the events outbox -> NATS JetStream drainer. Included from
# server/CMakeLists.txt.
add_library(baton_event_drainer STATIC ${CMAKE_CURRENT_LIST_DIR}/event_drainer.cc)
target_link_libraries(baton_event_drainer PUBLIC baton_storage baton_nats
  PRIVATE nlohmann_json::nlohmann_json spdlog::spdlog)
