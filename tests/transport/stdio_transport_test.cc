#include "transport/stdio_transport.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

namespace baton::transport {
namespace {

struct Collected {
  std::vector<std::string> frames;
  std::vector<size_t> oversized;
};

Collected Feed(const std::string& input, size_t limit) {
  int p[2];
  EXPECT_EQ(pipe(p), 0);
  std::thread writer([&] {
    size_t off = 0;
    while (off < input.size()) {
      ssize_t n = write(p[1], input.data() + off, std::min<size_t>(input.size() - off, 7000));
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    close(p[1]);
  });
  StdioTransport t(p[0], -1, limit);
  Collected c;
  t.Run([&](std::string&& f) { c.frames.push_back(f); }, [&](size_t n) { c.oversized.push_back(n); });
  writer.join();
  close(p[0]);
  return c;
}

TEST(StdioTransportTest, SplitsFramesOnNewlinesAcrossReads) {
  Collected c = Feed("{\"a\":1}\n\n  \n{\"b\":2}\r\n{\"c\":3}", 1024);
  ASSERT_EQ(c.frames.size(), 3u);
  EXPECT_EQ(c.frames[0], "{\"a\":1}");
  EXPECT_EQ(c.frames[1], "{\"b\":2}");
  EXPECT_EQ(c.frames[2], "{\"c\":3}");
  EXPECT_TRUE(c.oversized.empty());
}

TEST(StdioTransportTest, SkipsAnOversizedFrameAndGoesOn) {
  std::string big(10 * 1024 * 1024, 'x');
  Collected c = Feed("{\"a\":1}\n" + big + "\n{\"b\":2}\n", 4 << 20);
  ASSERT_EQ(c.frames.size(), 2u);
  EXPECT_EQ(c.frames[1], "{\"b\":2}");
  ASSERT_EQ(c.oversized.size(), 1u);
  EXPECT_EQ(c.oversized[0], big.size());
}

TEST(StdioTransportTest, WriteEmitsOneLinePerMessage) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  StdioTransport t(-1, p[1], 1024);
  EXPECT_TRUE(t.Write(nlohmann::json{{"x", "line\nbreak"}}));
  close(p[1]);
  char buf[256];
  ssize_t n = read(p[0], buf, sizeof buf);
  close(p[0]);
  std::string out(buf, static_cast<size_t>(n));
  EXPECT_EQ(out, "{\"x\":\"line\\nbreak\"}\n");
}

}  // namespace
}  // namespace baton::transport
