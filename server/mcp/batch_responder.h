// server/mcp/batch_responder.h
//
// A JSON-RPC batch's responder: collects the responses of its requests and sends them as one
// array when the last has answered (Flush); notifications pass straight through. Thread-safe.
#pragma once

#include <memory>
#include <mutex>

#include <nlohmann/json.hpp>

#include "server/mcp/mcp_session.h"

namespace baton {

class BatchResponder final : public Responder {
 public:
  explicit BatchResponder(std::shared_ptr<Responder> parent) : parent_(std::move(parent)) {}
  void Respond(const nlohmann::json& message) override {
    std::lock_guard<std::mutex> lock(mu_);
    responses_.push_back(message);
  }
  void Notify(const nlohmann::json& message) override { parent_->Notify(message); }
  void Flush() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!responses_.empty()) parent_->Respond(responses_);
  }

 private:
  std::shared_ptr<Responder> parent_;
  std::mutex mu_;
  nlohmann::json responses_ = nlohmann::json::array();
};

}  // namespace baton
