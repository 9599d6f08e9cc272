# Durable execution (issue 3): cron, schedules, retries, timeouts, queues, listing, retention,
# crash recovery and the chaos test. Included from tests/server/CMakeLists.txt.
baton_test(durable_test
  SOURCES cron_test.cc schedule_firing_test.cc retry_attempts_test.cc runner_timeout_test.cc
    runner_delay_test.cc jobs_tools_test.cc
  LIBS baton_tools baton_core)
