#include "server/runner/schedule_firing.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/rfc3339.h"
#include "tests/support/temp_dir.h"

namespace baton {
namespace {

int64_t Ms(const char* rfc3339) { return *ParseRfc3339Ns(rfc3339) / 1000000; }

TEST(ScheduleFiringTest, DecidesOnTimeMissedAndCatchUp) {
  struct Case {
    const char* cron;
    CatchUp catch_up;
    const char* next_run;
    const char* now;
    bool enqueue;
    const char* run_time;  // when enqueue
    int64_t missed;
    const char* following;
  };
  const Case kCases[] = {
      // On time (within the minute of grace): run, nothing missed.
      {"* * * * *", CatchUp::kSkip, "2026-11-24T10:00:00Z", "2026-11-24T10:00:10Z", true,
       "2026-11-24T10:00:00Z", 0, "2026-11-24T10:01:00Z"},
      // Five runs missed, the sixth still on time: it runs whatever the policy.
      {"* * * * *", CatchUp::kSkip, "2026-11-24T10:00:00Z", "2026-11-24T10:05:10Z", true,
       "2026-11-24T10:05:00Z", 5, "2026-11-24T10:06:00Z"},
      // Hourly, the runner was gone 3.5 h: four missed runs. skip: none runs.
      {"0 * * * *", CatchUp::kSkip, "2026-11-24T10:00:00Z", "2026-11-24T13:30:00Z", false, "", 4,
       "2026-11-24T14:00:00Z"},
      // run_once: one job now, standing for the latest missed run.
      {"0 * * * *", CatchUp::kRunOnce, "2026-11-24T10:00:00Z", "2026-11-24T13:30:00Z", true,
       "2026-11-24T13:00:00Z", 4, "2026-11-24T14:00:00Z"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(std::string(c.cron) + " now " + c.now);
    Schedule s;
    s.id = 7;
    s.cron = c.cron;
    s.catch_up = c.catch_up;
    s.next_run_ms = Ms(c.next_run);
    ScheduleFiring f = DecideFiring(s, *CronExpr::Parse(c.cron), Ms(c.now), 60000);
    EXPECT_EQ(f.schedule_id, 7);
    EXPECT_EQ(f.expected_next_run_ms, s.next_run_ms);
    EXPECT_EQ(f.enqueue, c.enqueue);
    if (c.enqueue) {
      EXPECT_EQ(FormatRfc3339Ms(f.run_time_ms), FormatRfc3339Ms(Ms(c.run_time)));
    }
    EXPECT_EQ(f.missed, c.missed);
    EXPECT_EQ(FormatRfc3339Ms(f.next_run_ms), FormatRfc3339Ms(Ms(c.following)));
  }
}

TEST(ScheduleFiringTest, FireDueSchedulesRecordsMissedRunsAndCreatesJobs) {
  testing::TempDir dir;
  auto store = std::move(JobStore::Open(dir.File("s.db"))).value();
  const int64_t now = Ms("2026-11-24T13:30:00Z");
  for (auto [name, policy] : {std::pair{"skipper", CatchUp::kSkip},
                              std::pair{"catcher", CatchUp::kRunOnce}}) {
    Schedule s;
    s.name = name;
    s.cron = "0 * * * *";
    s.catch_up = policy;
    s.spec_json = R"({"command":["true"],"cwd":"/tmp"})";
    s.next_run_ms = Ms("2026-11-24T10:00:00Z");
    ASSERT_TRUE(store->CreateSchedule(s, now - 5 * 3600 * 1000).ok());
  }
  auto created = FireDueSchedules(*store, now);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(*created, 1);
  JobFilter f;
  f.label_key = "schedule";
  f.label_value = "catcher";
  EXPECT_EQ(store->List(f)->size(), 1u);
  f.label_value = "skipper";
  EXPECT_EQ(store->List(f)->size(), 0u);
  int missed_events = 0;
  auto events = store->UnpublishedEvents(100);
  for (const Event& e : *events)
    if (e.type == "missed") ++missed_events;
  EXPECT_EQ(missed_events, 2);
  for (const char* name : {"skipper", "catcher"}) {
    auto s = store->GetSchedule(name);
    EXPECT_EQ(s->missed_runs, 4);
    EXPECT_EQ(FormatRfc3339Ms(s->next_run_ms), "2026-11-24T14:00:00.000Z");
  }
  EXPECT_EQ(*FireDueSchedules(*store, now), 0);  // nothing due any more
}

}  // namespace
}  // namespace baton
