#include "transport/sse_stream.h"

#include <gtest/gtest.h>

#include <thread>

namespace baton::transport {
namespace {

using std::chrono::milliseconds;

TEST(SseStreamTest, EventIdsNameTheStreamAndParseBack) {
  SseStream s("abc", 8);
  uint64_t seq = s.Push("{}");
  auto parsed = SseStream::ParseEventId(s.EventId(seq));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->first, "abc");
  EXPECT_EQ(parsed->second, seq);
  EXPECT_FALSE(SseStream::ParseEventId("no-dot"));
  EXPECT_FALSE(SseStream::ParseEventId("abc.12x"));
}

TEST(SseStreamTest, ReplaysEventsAfterAGivenSequenceWithinTheBuffer) {
  SseStream s("s", 3);
  for (int i = 0; i < 5; ++i) s.Push(std::to_string(i));
  auto c = s.Attach();
  auto b = s.WaitAfter(c, 3, milliseconds(0));
  ASSERT_EQ(b.events.size(), 2u);  // seq 4 and 5
  EXPECT_EQ(b.events[0].data, "3");
  EXPECT_EQ(s.WaitAfter(c, 0, milliseconds(0)).events.size(), 3u);  // the bound holds
}

TEST(SseStreamTest, ANewConsumerSupersedesTheOldOne) {
  SseStream s("s", 8);
  auto first = s.Attach();
  std::thread t([&] { s.Attach(); });
  auto b = s.WaitAfter(first, 0, milliseconds(5000));
  t.join();
  EXPECT_TRUE(b.superseded);
}

TEST(SseStreamTest, CloseWakesTheConsumerAndStopsPushes) {
  SseStream s("s", 8);
  auto c = s.Attach();
  std::thread t([&] {
    s.Push("last");
    s.Close();
  });
  auto b = s.WaitAfter(c, 0, milliseconds(5000));
  t.join();
  b = s.WaitAfter(c, 0, milliseconds(0));
  EXPECT_TRUE(b.closed);
  EXPECT_EQ(b.events.size(), 1u);
  EXPECT_EQ(s.Push("after"), 0u);
}

TEST(SseStreamTest, FormatSplitsMultilineData) {
  SseStream s("s", 8);
  EXPECT_EQ(s.Format({3, "a\nb"}), "id: s.3\ndata: a\ndata: b\n\n");
  EXPECT_EQ(s.Format({1, ""}), "id: s.1\ndata: \n\n");
}

}  // namespace
}  // namespace baton::transport
