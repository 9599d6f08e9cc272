#include "transport/http_session.h"

#include <gtest/gtest.h>

#include <thread>

namespace baton::transport {
namespace {

std::shared_ptr<void> NoState(const std::string&) { return nullptr; }

// Regression: the 1,000-session cap was global, so bob opening 1,000 sessions made alice's
// initialize answer 503 for up to an hour.
TEST(HttpSessionTableTest, OnePrincipalCannotLockOutTheOthers) {
  std::vector<std::string> closed;
  HttpSessionTable table(10, 4, std::chrono::seconds(3600), 8,
                         [&](const std::shared_ptr<HttpSession>& s) { closed.push_back(s->id()); });
  std::vector<std::shared_ptr<HttpSession>> bob;
  for (int i = 0; i < 50; ++i) {
    auto s = table.Create("bob", NoState);
    ASSERT_NE(s, nullptr) << i;
    bob.push_back(s);
  }
  EXPECT_EQ(table.size(), 4u) << "bob holds at most his own share";
  // Bob's oldest went first: his last four sessions are the live ones.
  for (int i = 0; i < 46; ++i) EXPECT_EQ(table.Find(bob[i]->id()), nullptr) << i;
  for (int i = 46; i < 50; ++i) EXPECT_NE(table.Find(bob[i]->id()), nullptr) << i;
  EXPECT_EQ(closed.size(), 46u);
  auto alice = table.Create("alice", NoState);
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->principal(), "alice");
}

TEST(HttpSessionTableTest, AFullTableMakesRoomAtTheExpenseOfTheHeaviestPrincipal) {
  HttpSessionTable table(6, 4, std::chrono::seconds(3600), 8, nullptr);
  std::vector<std::shared_ptr<HttpSession>> bob, carol;
  for (int i = 0; i < 4; ++i) bob.push_back(table.Create("bob", NoState));
  for (int i = 0; i < 2; ++i) carol.push_back(table.Create("carol", NoState));
  ASSERT_EQ(table.size(), 6u);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  table.Find(bob[0]->id());  // bob[0] is now his most recently used
  auto alice = table.Create("alice", NoState);
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(table.size(), 6u);
  EXPECT_EQ(table.Find(bob[1]->id()), nullptr) << "bob's least recently used session made room";
  EXPECT_NE(table.Find(bob[0]->id()), nullptr);
  for (const auto& c : carol) EXPECT_NE(table.Find(c->id()), nullptr) << "carol keeps hers";
}

}  // namespace
}  // namespace baton::transport
