// tests/support/cli_fixture.h
//
// A test of the real `baton` binary's command line against a database of its own: Baton() runs
// one command with BATON_DB set, and TearDown stops the runner a command started on demand (a
// test must not leave a daemon behind).
#pragma once

#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "storage/job_store.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace baton::testing {

class CliFixture : public ::testing::Test {
 protected:
  // {exit status, stdout} of `baton ARGS...`.
  std::pair<int, std::string> Baton(std::vector<std::string> args) {
    args.insert(args.begin(), BatonBinary());
    return RunCommand(args, {{"BATON_DB", db_}}, 30000);
  }
  void TearDown() override {
    auto store = JobStore::Open(db_);
    if (!store.ok()) return;
    auto r = (*store)->LatestRunner();
    if (r.ok() && *r && (*r)->pid > 1) kill((*r)->pid, SIGTERM);
    usleep(200000);
  }
  TempDir dir_;
  std::string db_ = dir_.File("cli.db");
};

}  // namespace baton::testing
