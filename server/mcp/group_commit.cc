#include "server/mcp/group_commit.h"

#include <spdlog/spdlog.h>

#include "transport/jsonrpc.h"

namespace baton {

using nlohmann::json;

namespace {

// What the client gets instead of a result that was never committed.
json Uncommitted(const json& response, const Status& why) {
  if (response.is_array()) {
    json out = json::array();
    for (const json& r : response) out.push_back(Uncommitted(r, why));
    return out;
  }
  if (!response.is_object() || !response.contains("result")) return response;  // already an error
  return JsonRpcError(
      response["id"],
      Status::Internal("Internal error: the database did not commit this request (" +
                       why.message() + "); nothing it did was kept, retry"));
}

}  // namespace

GroupCommit::GroupCommit(std::shared_ptr<Responder> out, JobStore& store, RunnerControl& runner)
    : out_(std::move(out)), store_(store), runner_(runner) {}

void GroupCommit::Begin() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
  }
  runner_.Hold();
  store_.BeginGroup();
}

void GroupCommit::End() {
  Status committed = store_.EndGroup();
  if (!committed.ok()) spdlog::error("group commit: {}", committed.ToString());
  std::vector<json> held;
  {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = false;
    held.swap(held_);
  }
  for (const json& r : held) out_->Respond(committed.ok() ? r : Uncommitted(r, committed));
  if (Status s = runner_.Release(); !s.ok())
    spdlog::warn("runner: {} (jobs stay queued until a runner starts)", s.ToString());
}

void GroupCommit::Respond(const json& message) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (open_) {
      held_.push_back(message);
      return;
    }
  }
  out_->Respond(message);
}

}  // namespace baton
