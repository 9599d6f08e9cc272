// server/mcp/group_commit.h
//
// Group commit for a front-end that reads requests in batches (serve --stdio): the requests of
// one batch write through one transaction (JobStore::BeginGroup), and their responses are held
// until it commits, so that "acknowledged" still means "committed" while a batch of N enqueues
// costs one commit instead of 2N (a job and its policy decision each). The runner is rung once,
// after the commit. Thread-safe; Begin() and End() are called by the thread that handles frames.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/mcp/mcp_session.h"
#include "server/jobs/runner_control.h"
#include "storage/job_store.h"

namespace baton {

class GroupCommit final : public Responder {
 public:
  GroupCommit(std::shared_ptr<Responder> out, JobStore& store, RunnerControl& runner);

  void Begin();
  // Commits, then sends the held responses (on a failed commit, an error for each request
  // instead of its result) and rings the runner if anything asked for it.
  void End();

  void Respond(const nlohmann::json& message) override;
  void Notify(const nlohmann::json& message) override { out_->Notify(message); }
  void Dropped(const nlohmann::json& id) override { out_->Dropped(id); }

 private:
  std::shared_ptr<Responder> out_;
  JobStore& store_;
  RunnerControl& runner_;
  std::mutex mu_;
  bool open_ = false;
  std::vector<nlohmann::json> held_;
};

}  // namespace baton
