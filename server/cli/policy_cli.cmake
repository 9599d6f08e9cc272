# server/cli/policy_cli.cmake: `baton policy eval|test|check`. Included from
# server/cli/CMakeLists.txt, and from tests/policy when the server is not part of the build.
include(${CMAKE_CURRENT_LIST_DIR}/../guard/policy_files.cmake)
if(NOT TARGET baton_policy_cli)
  add_library(baton_policy_cli STATIC ${CMAKE_CURRENT_LIST_DIR}/policy_cli.cc)
  target_include_directories(baton_policy_cli PUBLIC ${CMAKE_SOURCE_DIR})
  target_link_libraries(baton_policy_cli PUBLIC baton_policy baton_policy_files baton_base
    PRIVATE nlohmann_json::nlohmann_json)
endif()
