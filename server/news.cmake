# server/news.cmake: job news in the agent's own session (issues 5 and 9): the notification hub,
# subscriptions/listen and the legacy session's listener (part of the MCP session), the job feed
# and the news it turns into notifications. Included from server/CMakeLists.txt.
target_sources(baton_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/notification_hub.cc
  ${CMAKE_CURRENT_LIST_DIR}/mcp_news.cc
  ${CMAKE_CURRENT_LIST_DIR}/job_feed.cc
  ${CMAKE_CURRENT_LIST_DIR}/job_news.cc)
