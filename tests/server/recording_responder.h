// tests/server/recording_responder.h
//
// A Responder for session tests: keeps every response and notification a session sends, and lets
// the test wait for the n-th response (sessions answer blocking calls on threads of their own).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/mcp/mcp_session.h"

namespace baton::testing {

class RecordingResponder final : public Responder {
 public:
  void Respond(const nlohmann::json& m) override {
    std::lock_guard<std::mutex> l(mu_);
    responses.push_back(m);
    cv_.notify_all();
  }
  void Notify(const nlohmann::json& m) override {
    std::lock_guard<std::mutex> l(mu_);
    notifications.push_back(m);
  }
  // True once `n` responses arrived.
  bool Has(size_t n) {
    std::lock_guard<std::mutex> l(mu_);
    return responses.size() >= n;
  }
  // The n-th response (1-based), or null if it did not come within 5 s.
  nlohmann::json WaitResponse(size_t n) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait_for(l, std::chrono::seconds(5), [&] { return responses.size() >= n; });
    return responses.size() >= n ? responses[n - 1] : nlohmann::json();
  }
  // Read them once the responses waited for are in (Has / WaitResponse).
  std::vector<nlohmann::json> responses, notifications;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace baton::testing
