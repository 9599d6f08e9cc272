# Durable execution (issue 3): cron, schedules, retries, timeouts, queues, listing, retention,
# crash recovery and the chaos test. Included from tests/server/CMakeLists.txt.
baton_test(durable_test
  SOURCES cron_test.cc schedule_firing_test.cc retry_attempts_test.cc runner_timeout_test.cc
    runner_delay_test.cc jobs_tools_test.cc schedule_runner_test.cc retention_test.cc
  LIBS baton_tools baton_core)

# Real `baton runner` processes SIGKILLed under their jobs.
baton_test(recovery_test SOURCES recovery_test.cc retry_cli_test.cc LIBS baton_tools baton_core
  LABELS e2e)

# 1,000 jobs while the runner is SIGKILLed 20 times (about a minute).
baton_test(chaos_test SOURCES chaos_test.cc LIBS baton_storage baton_core LABELS e2e)
