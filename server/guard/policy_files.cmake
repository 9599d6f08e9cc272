# server/guard/policy_files.cmake: reading policies from disk (the I/O around the pure policy/
# library). Included from server/guard/CMakeLists.txt, and from tests/policy when the server
# is not part of the build.
if(NOT TARGET baton_policy_files)
  add_library(baton_policy_files STATIC ${CMAKE_CURRENT_LIST_DIR}/policy_files.cc)
  target_include_directories(baton_policy_files PUBLIC ${CMAKE_SOURCE_DIR})
  target_link_libraries(baton_policy_files PUBLIC baton_policy baton_base)
endif()
