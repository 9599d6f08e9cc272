# tests/server/news.cmake: job news in the agent's session — the notification hub, the job feed
# over a real database file, the channel message text. Included from tests/server/CMakeLists.txt.
baton_test(news_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/notification_hub_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/job_news_test.cc
  LIBS baton_core
  LABELS unit)
