# Durable execution (issue 3): cron, schedules, retries, timeouts, queues, listing, retention,
# crash recovery and the chaos test. Included from tests/server/CMakeLists.txt.
baton_test(durable_test
  SOURCES cron_test.cc schedule_firing_test.cc retry_attempts_test.cc runner_timeout_test.cc
    runner_delay_test.cc jobs_tools_test.cc schedule_runner_test.cc retention_test.cc
    status_view_test.cc verify_step_test.cc
    mcp_tasks_test.cc
  LIBS baton_tools baton_core)

# Real `baton runner` processes SIGKILLed under their jobs.
baton_test(recovery_test SOURCES recovery_test.cc retry_cli_test.cc LIBS baton_tools baton_core
  LABELS e2e)

# Storage failing under the runner: database writes refused (a real `baton runner` with the
# fault-injecting VFS), output files that cannot be created or written.
baton_test(runner_storage_fault_test SOURCES runner_storage_fault_test.cc LIBS baton_core
  LABELS e2e)

# 1,000 jobs while the runner is SIGKILLed 20 times (30 s to a minute). Registered by hand, not
# through baton_test, so that it runs alone (RUN_SERIAL): its load would disturb the timing tests.
add_executable(chaos_test chaos_test.cc)
target_link_libraries(chaos_test PRIVATE baton_storage baton_core baton_test_support GTest::gtest
  GTest::gtest_main)
add_dependencies(chaos_test baton)
add_test(NAME ChaosTest.ThousandJobsSurviveTwentyRunnerKills COMMAND chaos_test)
set_tests_properties(ChaosTest.ThousandJobsSurviveTwentyRunnerKills PROPERTIES
  LABELS e2e RUN_SERIAL TRUE TIMEOUT 900
  ENVIRONMENT "BATON_BIN=$<TARGET_FILE:baton>;BATON_SOURCE_DIR=${CMAKE_SOURCE_DIR}")

# A fault at each step of a job's way (enqueue, claim, start, finish, events, log files),
# injected into real `baton` processes through their fault plan (storage/fault_plan.h).
baton_test(runner_fault_injection_test SOURCES runner_fault_injection_test.cc LIBS baton_core
  LABELS e2e)

# status --wait and logs -f on a pseudo-terminal (progress line) and piped (exact output).
baton_test(cli_progress_test SOURCES cli_progress_test.cc LIBS baton_terminal_progress baton_core
  LABELS e2e)
