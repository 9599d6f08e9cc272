#include "transport/doorbell.h"

#include <gtest/gtest.h>

#include "base/random_id.h"

namespace baton::transport {
namespace {

TEST(DoorbellTest, RingWakesTheBoundBellAndFailsWhenNobodyListens) {
  std::string name = "baton-test-" + RandomHexId(6);
  EXPECT_EQ(Doorbell::Ring(name).code(), StatusCode::kUnavailable);
  Doorbell bell;
  ASSERT_TRUE(bell.Bind(name).ok());
  EXPECT_FALSE(bell.Wait(0));
  EXPECT_TRUE(Doorbell::Ring(name).ok());
  EXPECT_TRUE(Doorbell::Ring(name).ok());
  EXPECT_TRUE(bell.Wait(1000));
  EXPECT_FALSE(bell.Wait(0)) << "Wait drains every pending ring";
  Doorbell second;
  EXPECT_EQ(second.Bind(name).code(), StatusCode::kAlreadyExists);
  bell.Close();
  EXPECT_EQ(Doorbell::Ring(name).code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace baton::transport
