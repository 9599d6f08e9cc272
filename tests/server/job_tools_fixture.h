// tests/server/job_tools_fixture.h
//
// The MCP job tools over a real database and a real runner (RunnerFixture): a job service with
// its runner control and watcher, as a front-end assembles them, and Call() that runs a tool as
// the session does.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "server/jobs/job_service.h"
#include "server/jobs/job_watcher.h"
#include "server/jobs/runner_control.h"
#include "server/mcp/tool.h"
#include "tests/server/runner_fixture.h"

namespace baton::testing {

class JobToolsFixture : public RunnerFixture {
 protected:
  void SetUp() override {
    RunnerFixture::SetUp();
    control_ = std::make_unique<RunnerControl>(paths_, RunnerLaunch{"", {}, false});
    watcher_ = std::make_unique<JobWatcher>(*store_);
    ServiceOptions so;
    so.base_cwd = dir_.path();
    service_ = std::make_unique<JobService>(*store_, *control_, *watcher_,
                                            SystemClock::Instance(), so);
  }
  ToolResult Call(Tool& tool, const nlohmann::json& args) {
    ToolCallContext ctx;
    ctx.progress = [](double, std::optional<double>, const std::string&) {};
    return tool.Call(args, ctx);
  }

  std::unique_ptr<RunnerControl> control_;
  std::unique_ptr<JobWatcher> watcher_;
  std::unique_ptr<JobService> service_;
};

}  // namespace baton::testing
