// Issue 14 item 6: one database, one runner, however it is named. A second runner started through
// a symlink marked the first one's running job lost and killed it.
#include "server/jobs/state_paths.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace baton {
namespace {

using testing::BatonBinary;
using testing::Subprocess;
using testing::TempDir;

TEST(StatePathsTest, SymlinkedDbSharesTheRunnerLockAndDoorbells) {
  TempDir dir;
  std::filesystem::create_directories(dir.File("real"));
  std::filesystem::create_directories(dir.File("other"));
  std::ofstream(dir.File("real/baton.db")).flush();
  std::filesystem::create_symlink(dir.File("real/baton.db"), dir.File("other/link.db"));
  std::filesystem::create_directory_symlink(dir.File("real"), dir.File("linked-dir"));
  auto real = ResolveStatePaths(dir.File("real/baton.db"));
  ASSERT_TRUE(real.ok()) << real.status().ToString();
  for (std::string name : {"other/link.db", "linked-dir/baton.db", "real/../real/baton.db"}) {
    SCOPED_TRACE(name);
    auto via = ResolveStatePaths(dir.File(name));
    ASSERT_TRUE(via.ok()) << via.status().ToString();
    EXPECT_EQ(via->db, real->db);
    EXPECT_EQ(via->runner_lock, real->runner_lock);
    EXPECT_EQ(via->runner_bell, real->runner_bell);
    EXPECT_EQ(via->bell_prefix, real->bell_prefix);
  }
  auto another = ResolveStatePaths(dir.File("real/another.db"));
  ASSERT_TRUE(another.ok());
  EXPECT_NE(another->runner_bell, real->runner_bell);
}

TEST(StatePathsTest, HardLinkedDbIsRefusedNamingTheLinks) {
  TempDir dir;
  std::ofstream(dir.File("baton.db")).flush();
  ASSERT_EQ(link(dir.File("baton.db").c_str(), dir.File("twin.db").c_str()), 0);
  auto paths = ResolveStatePaths(dir.File("twin.db"));
  ASSERT_FALSE(paths.ok());
  EXPECT_NE(paths.status().message().find("2 hard links"), std::string::npos)
      << paths.status().message();
}

TEST(StatePathsTest, SecondRunnerThroughASymlinkCannotStart) {
  TempDir dir;
  std::string db = dir.File("baton.db");
  Subprocess first({BatonBinary(), "runner", "--db", db, "--idle-exit", "0"});
  // The first runner holds the lock once its database exists and the lock file is taken.
  for (int i = 0; i < 100 && !std::filesystem::exists(db + ".runner.lock"); ++i) usleep(50000);
  usleep(300000);
  std::filesystem::create_symlink(db, dir.File("link.db"));
  Subprocess second({BatonBinary(), "runner", "--db", dir.File("link.db"), "--lock-wait", "0"});
  auto rc = second.Wait(10000);
  ASSERT_TRUE(rc.has_value()) << "a second runner started through the symlink";
  EXPECT_EQ(*rc, 0);
  EXPECT_NE(second.Stderr().find("another runner serves"), std::string::npos) << second.Stderr();
  auto first_rc = first.Wait(100);
  EXPECT_FALSE(first_rc.has_value()) << "the first runner exited (" << first_rc.value_or(-1)
                                     << "): " << first.Stderr();
  first.Kill(SIGTERM);
  first.Wait(5000);
}

}  // namespace
}  // namespace baton
