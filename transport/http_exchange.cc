#include "transport/http_exchange.h"

#include "transport/jsonrpc.h"

namespace baton::transport {

void HttpExchange::Send(const nlohmann::json& message) {
  std::shared_ptr<SseStream> stream;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_ || form_ == Form::kRejected || form_ == Form::kAccepted) return;
    if (!accepts_sse_) return;  // a JSON-only client cannot receive intermediate messages
    if (!stream_) {
      early_.push_back(Serialize(message));
      if (form_ == Form::kPending) form_ = Form::kSse;
    } else {
      stream = stream_;
    }
  }
  cv_.notify_all();
  if (stream) stream->Push(Serialize(message));
}

void HttpExchange::Finish(const nlohmann::json& message, int http_status) {
  std::shared_ptr<SseStream> stream;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_ || form_ == Form::kRejected || form_ == Form::kAccepted) return;
    finished_ = true;
    if (form_ == Form::kPending && accepts_json_) {
      form_ = Form::kJson;
      status_ = http_status;
      body_ = message;
    } else {
      if (form_ == Form::kPending) form_ = Form::kSse;
      if (stream_) stream = stream_;
      else early_.push_back(Serialize(message));
    }
  }
  cv_.notify_all();
  if (stream) {
    stream->Push(Serialize(message));
    stream->Close();
  }
}

void HttpExchange::Reject(int http_status, const nlohmann::json& body) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (form_ != Form::kPending) return;
    form_ = Form::kRejected;
    status_ = http_status;
    body_ = body;
    finished_ = true;
  }
  cv_.notify_all();
}

void HttpExchange::Accept() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (form_ != Form::kPending) return;
    form_ = Form::kAccepted;
    status_ = 202;
    finished_ = true;
  }
  cv_.notify_all();
}

void HttpExchange::Abandon() {
  std::shared_ptr<SseStream> stream;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    finished_ = true;
    if (form_ == Form::kPending) {
      form_ = Form::kRejected;
      status_ = 204;
      body_ = nullptr;
    }
    stream = stream_;
  }
  cv_.notify_all();
  if (stream) stream->Close();
}

void HttpExchange::BindSession(std::shared_ptr<HttpSession> session) {
  std::lock_guard<std::mutex> lock(mu_);
  session_ = std::move(session);
}

void HttpExchange::CloseConnection() {
  std::shared_ptr<SseStream> stream;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!accepts_sse_ || form_ == Form::kJson || form_ == Form::kRejected ||
        form_ == Form::kAccepted)
      return;
    close_requested_ = true;
    if (form_ == Form::kPending) form_ = Form::kSse;  // a stream to close, and to resume
    stream = stream_;
  }
  cv_.notify_all();
  if (stream) stream->Attach();  // supersedes the current consumer: its response ends
}

bool HttpExchange::TakeCloseRequest() {
  std::lock_guard<std::mutex> lock(mu_);
  bool r = close_requested_;
  close_requested_ = false;
  return r;
}

bool HttpExchange::client_gone() const {
  std::lock_guard<std::mutex> lock(mu_);
  return client_gone_;
}

void HttpExchange::MarkClientGone() {
  std::lock_guard<std::mutex> lock(mu_);
  client_gone_ = true;
}

HttpExchange::Form HttpExchange::WaitForm(
    const std::function<std::shared_ptr<SseStream>()>& make_stream) {
  std::unique_lock<std::mutex> lock(mu_);
  if (form_ == Form::kPending && accepts_sse_ && !accepts_json_) form_ = Form::kSse;
  cv_.wait(lock, [&] { return form_ != Form::kPending; });
  if (form_ == Form::kSse && !stream_) {
    // Under the lock, so that later Send/Finish calls queue behind the early messages.
    stream_ = make_stream();
    for (auto& m : early_) stream_->Push(std::move(m));
    early_.clear();
    if (finished_) stream_->Close();
  }
  return form_;
}

std::shared_ptr<HttpSession> HttpExchange::session() const {
  std::lock_guard<std::mutex> lock(mu_);
  return session_;
}

std::shared_ptr<SseStream> HttpExchange::stream() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stream_;
}

}  // namespace baton::transport
