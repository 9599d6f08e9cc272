# transport/nats.cmake: the NATS JetStream adapter (nats.c). Included from transport/CMakeLists.txt.
#   baton_nats: EventPublisher interface + JetStreamPublisher + nats.c glue (FromNats, handles).
add_library(baton_nats STATIC ${CMAKE_CURRENT_LIST_DIR}/jetstream_publisher.cc)
target_link_libraries(baton_nats PUBLIC baton_base PkgConfig::NATS PRIVATE spdlog::spdlog)
