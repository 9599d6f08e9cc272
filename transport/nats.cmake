# transport/nats.cmake: the NATS JetStream adapter (nats.c). Included from transport/CMakeLists.txt.
#   baton_nats: NatsOptions, the nats.c glue (FromNats, handles, ConnectNats), the
#   EventPublisher over JetStream and the durable pull consumer.
add_library(baton_nats STATIC
  ${CMAKE_CURRENT_LIST_DIR}/nats_options.cc
  ${CMAKE_CURRENT_LIST_DIR}/nats_connection.cc
  ${CMAKE_CURRENT_LIST_DIR}/jetstream_publisher.cc
  ${CMAKE_CURRENT_LIST_DIR}/jetstream_consumer.cc)
target_link_libraries(baton_nats PUBLIC baton_base PkgConfig::NATS PRIVATE spdlog::spdlog)
