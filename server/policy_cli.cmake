# server/policy_cli.cmake: reading policies from disk and `baton policy eval|test|check` (the I/O
# around the pure policy/ library). Included from server/CMakeLists.txt (and from tests/policy when
# that has not happened yet).
if(NOT TARGET baton_policy_cli)
  add_library(baton_policy_cli STATIC ${CMAKE_CURRENT_LIST_DIR}/policy_cli.cc
    ${CMAKE_CURRENT_LIST_DIR}/policy_files.cc)
  target_include_directories(baton_policy_cli PUBLIC ${CMAKE_SOURCE_DIR})
  target_link_libraries(baton_policy_cli PUBLIC baton_policy baton_base
    PRIVATE nlohmann_json::nlohmann_json)
endif()
