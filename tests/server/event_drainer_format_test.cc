// Subjects, msg ids and payloads of published events (pure functions of server/events/event_drainer.h).
#include "server/events/event_drainer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace baton {
namespace {

using nlohmann::json;

TEST(EventDrainerFormatTest, SubjectTokensAreSanitized) {
  struct Case {
    const char* raw;
    const char* token;
  };
  const Case kCases[] = {
      {"default", "default"}, {"build-ci_2", "build-ci_2"}, {"a.b", "a_b"}, {"*", "_"},
      {">", "_"},             {"with space", "with_space"}, {"", "_"},      {"tab\there", "tab_here"},
      {"ünï", "__n__"},  // per byte
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.raw);
    EXPECT_EQ(transport::SubjectToken(c.raw), c.token);
  }
}

TEST(EventDrainerFormatTest, SubjectMsgIdAndStreamName) {
  Event e{42, 1764000000250, 7, "succeeded", "build.ci", "{}"};
  EXPECT_EQ(EventSubject("default", e), "baton.default.job.build_ci.succeeded.7");
  EXPECT_EQ(EventSubject("my.box", e), "baton.my_box.job.build_ci.succeeded.7");
  EXPECT_EQ(EventMsgId("default", e), "default:42:1764000000250");
  NatsOptions o;
  EXPECT_EQ(StreamName(o), "BATON_EVENTS");
  o.instance = "laptop";
  EXPECT_EQ(StreamName(o), "BATON_EVENTS_laptop");
  o.stream = "MINE";
  EXPECT_EQ(StreamName(o), "MINE");
}

TEST(EventDrainerFormatTest, PayloadCarriesSchemaIdsTimeDataAndJobSummary) {
  Event e{42, 1764000000250, 7, "failed", "default", R"({"attempt":1,"exit_code":3})"};
  Job job;
  job.id = 7;
  job.state = JobState::kFailed;
  job.spec.command = {"make", "test"};
  job.spec.name = "tests";
  job.attempt = 1;
  job.exit_code = 3;
  job.error = "exit code 3";
  json p = json::parse(EventPayload("default", e, &job));
  EXPECT_EQ(p["schema"], kEventSchemaVersion);
  EXPECT_EQ(p["id"], 42);
  EXPECT_EQ(p["type"], "failed");
  EXPECT_EQ(p["ts"], "2025-11-24T16:00:00.250Z");
  EXPECT_EQ(p["ts_ms"], 1764000000250);
  EXPECT_EQ(p["instance"], "default");
  EXPECT_EQ(p["job_id"], 7);
  EXPECT_EQ(p["queue"], "default");
  EXPECT_EQ(p["data"]["exit_code"], 3);
  EXPECT_EQ(p["job"]["state"], "failed");
  EXPECT_EQ(p["job"]["command"], json::array({"make", "test"}));
  EXPECT_EQ(p["job"]["name"], "tests");
  EXPECT_EQ(p["job"]["attempt"], 1);
  EXPECT_EQ(p["job"]["exit_code"], 3);
  EXPECT_EQ(p["job"]["error"], "exit code 3");
}

TEST(EventDrainerFormatTest, PayloadWithoutJobOrJsonDataStillParses) {
  Event e{1, 0, 9, "enqueued", "q", "not json"};
  json p = json::parse(EventPayload("default", e, nullptr));
  EXPECT_TRUE(p["job"].is_null());
  EXPECT_EQ(p["data"], "not json");
  EXPECT_EQ(p["ts"], "1970-01-01T00:00:00.000Z");
}

TEST(EventDrainerFormatTest, PayloadEscapesStringsAndReplacesInvalidUtf8) {
  Event e{3, 5, 8, "failed", "q\"uote", "{\"k\": [1, 2]}"};
  Job job;
  job.id = 8;
  job.state = JobState::kFailed;
  job.spec.command = {"sh", "-c", "echo \"hi\"\n"};
  job.error = "bad \xff byte\ttab";
  job.signal = 9;
  job.chain_id = 4;
  json p = json::parse(EventPayload("default", e, &job));
  EXPECT_EQ(p["queue"], "q\"uote");
  EXPECT_EQ(p["data"], json::parse(R"({"k":[1,2]})"));
  EXPECT_EQ(p["job"]["command"], json::array({"sh", "-c", "echo \"hi\"\n"}));
  EXPECT_EQ(p["job"]["error"], "bad \xef\xbf\xbd byte\ttab");  // U+FFFD
  EXPECT_EQ(p["job"]["signal"], 9);
  EXPECT_EQ(p["job"]["chain_id"], 4);
  EXPECT_TRUE(p["job"]["exit_code"].is_null());
  EXPECT_FALSE(p["job"].contains("name"));
  // The drainer's path (a summary read from the store) writes the same bytes.
  EventJobSummary s = SummaryOf(job);
  EXPECT_EQ(SummaryEventPayload("default", e, &s), EventPayload("default", e, &job));
}

}  // namespace
}  // namespace baton
