#include "tests/e2e/mcp_client.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "base/clock.h"
#include "tests/support/temp_dir.h"

namespace baton::testing {

using nlohmann::json;

McpClient::McpClient(const std::string& db_path, const std::map<std::string, std::string>& env,
                     const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv = {BatonBinary(), "serve", "--stdio", "--db", db_path,
                                   "--log-level", "warn"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  proc_ = std::make_unique<Subprocess>(argv, env);
}

bool McpClient::ReadOne(int64_t deadline_ms) {
  while (true) {
    int64_t left = deadline_ms - MonotonicMs();
    if (left <= 0) return false;
    auto line = proc_->ReadLine(static_cast<int>(left));
    if (!line) return false;
    json m = json::parse(*line, nullptr, false);
    EXPECT_FALSE(m.is_discarded()) << "stdout carried a non-JSON line: " << *line;
    if (m.is_discarded()) continue;
    if (m.is_object() && m.contains("method") && !m.contains("id")) notifications_.push_back(m);
    else responses_.push_back(m);
    return true;
  }
}

json McpClient::ReadResponse(int timeout_ms) {
  int64_t deadline = MonotonicMs() + timeout_ms;
  while (responses_.empty())
    if (!ReadOne(deadline)) return nullptr;
  json r = responses_.front();
  responses_.erase(responses_.begin());
  return r;
}

json McpClient::WaitNotification(const std::function<bool(const json&)>& pred, int timeout_ms) {
  int64_t deadline = MonotonicMs() + timeout_ms;
  size_t checked = 0;
  while (true) {
    for (; checked < notifications_.size(); ++checked) {
      if (pred(notifications_[checked])) {
        json n = notifications_[checked];
        notifications_.erase(notifications_.begin() + static_cast<long>(checked));
        return n;
      }
    }
    if (!ReadOne(deadline)) return nullptr;
  }
}

void McpClient::Notify(const std::string& method, const json& params) {
  json n = {{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) n["params"] = params;
  proc_->WriteLine(n.dump());
}

json McpClient::Request(const std::string& method, const json& params, int timeout_ms) {
  int id = next_id_++;
  json req = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null()) req["params"] = params;
  proc_->WriteLine(req.dump());
  json r = ReadResponse(timeout_ms);
  if (!r.is_null()) {
    EXPECT_EQ(r["id"], id);
  }
  return r;
}

json McpClient::Initialize(const std::string& version) {
  json r = Request("initialize", {{"protocolVersion", version},
                                  {"capabilities", json::object()},
                                  {"clientInfo", {{"name", "e2e"}, {"version", "1"}}}});
  proc_->WriteLine(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  return r.is_null() ? r : r["result"];
}

json McpClient::CallTool(const std::string& name, const json& args, int timeout_ms) {
  json r = Request("tools/call", {{"name", name}, {"arguments", args}}, timeout_ms);
  if (r.is_null() || !r.contains("result")) {
    ADD_FAILURE() << "tools/call " << name << " got " << r.dump()
                  << "; server stderr: " << proc_->Stderr();
    return nullptr;
  }
  return r["result"];
}

json McpClient::CallOk(const std::string& name, const json& args, int timeout_ms) {
  json r = CallTool(name, args, timeout_ms);
  if (r.is_null()) return r;
  EXPECT_EQ(r.value("isError", false), false) << name << " " << args.dump() << " -> " << r.dump();
  return r.value("structuredContent", json());
}

json WaitForJob(const std::string& db_path, int64_t job_id, const std::string& state,
                int timeout_ms) {
  int64_t deadline = MonotonicMs() + timeout_ms;
  json last;
  while (MonotonicMs() < deadline) {
    auto [code, out] = RunCommand({BatonBinary(), "status", std::to_string(job_id), "--db",
                                   db_path, "--json"});
    last = json::parse(out, nullptr, false);
    if (!last.is_discarded() && last.value("state", "") == state) return last;
    usleep(100000);
  }
  return last;
}

}  // namespace baton::testing
