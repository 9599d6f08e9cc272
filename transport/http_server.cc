#include "transport/http_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "base/json_parse.h"
#include "base/random_id.h"
#include "transport/bounded_http_server.h"
#include "transport/jsonrpc.h"

namespace baton::transport {

namespace {

using httplib::DataSink;
using httplib::Request;
using httplib::Response;
using HandlerResponse = httplib::Server::HandlerResponse;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

void SetError(Response& res, int status, const std::string& message, int code = kServerError) {
  res.status = status;
  res.set_content(Serialize(MakeError(nullptr, code, message)), "application/json");
}

struct AcceptedTypes {
  bool json = false;
  bool sse = false;
};

AcceptedTypes ParseAccept(const Request& req) {
  if (!req.has_header("Accept")) return {true, true};
  AcceptedTypes a;
  std::string v = Lower(req.get_header_value("Accept"));
  size_t start = 0;
  while (start <= v.size()) {
    size_t comma = v.find(',', start);
    std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    item = item.substr(0, item.find(';'));
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (item == "*/*") a.json = a.sse = true;
    if (item == "application/json" || item == "application/*") a.json = true;
    if (item == "text/event-stream" || item == "text/*") a.sse = true;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return a;
}

bool IsRequest(const nlohmann::json& m) {
  return m.is_object() && m.contains("method") && m.contains("id");
}

}  // namespace

std::string HttpPost::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

class StreamableHttpServer::Impl {
 public:
  explicit Impl(const AccessOptions& access_options) : access(access_options) {}

  BoundedHttpServer svr;
  const HttpAccess access;
  std::atomic<int> sse_open{0};
  std::atomic<int> pending_posts{0};  // POSTs waiting for their first message
  std::atomic<int> post_streams{0};   // POST responses streaming SSE
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::vector<std::weak_ptr<SseStream>> live_streams;
  std::vector<std::weak_ptr<HttpExchange>> live_exchanges;

  template <typename T>
  void Remember(std::vector<std::weak_ptr<T>>& list, const std::shared_ptr<T>& p) {
    std::lock_guard<std::mutex> lock(mu);
    list.erase(std::remove_if(list.begin(), list.end(), [](auto& w) { return w.expired(); }),
               list.end());
    list.push_back(p);
  }
};

StreamableHttpServer::StreamableHttpServer(HttpServerOptions options, StreamableHttpHandler& handler)
    : options_(std::move(options)),
      handler_(handler),
      sessions_(options_.max_sessions, options_.max_sessions_per_principal,
                std::chrono::seconds(options_.session_idle_timeout_s),
                options_.replay_events,
                [&handler](const std::shared_ptr<HttpSession>& s) { handler.OnSessionClosed(s); }),
      impl_(std::make_unique<Impl>(options_.access)) {}

StreamableHttpServer::~StreamableHttpServer() { Stop(); }

Status StreamableHttpServer::Start() {
  const HttpServerOptions& o = options_;
  if (o.worker_threads < 4) return Status::InvalidArgument("worker_threads must be at least 4");
  if (o.max_sse_streams < 1 || o.max_pending_posts < 1 ||
      o.max_sse_streams + o.max_pending_posts >= o.worker_threads)
    return Status::InvalidArgument(
        "max_sse_streams + max_pending_posts must stay below worker_threads (so that open "
        "streams cannot take every worker)");
  BoundedHttpServer& svr = impl_->svr;
  ConnectionLimits limits;
  limits.head_timeout_ms = o.head_timeout_ms;
  limits.max_connections_per_address = o.max_connections_per_address > 0
                                           ? o.max_connections_per_address
                                           : o.max_sse_streams + o.max_pending_posts;
  limits.max_body_bytes = o.max_body_bytes;
  limits.read_timeout_ms = o.read_timeout_s * 1000;
  limits.write_timeout_ms = o.write_timeout_s * 1000;
  svr.set_connection_limits(limits);
  int workers = o.worker_threads;
  svr.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  svr.set_payload_max_length(o.max_body_bytes);
  svr.set_read_timeout(o.read_timeout_s, 0);
  svr.set_write_timeout(o.write_timeout_s, 0);
  svr.set_keep_alive_timeout(5);
  svr.set_keep_alive_max_count(100);
  // MCP exchanges are small request/response pairs: without TCP_NODELAY, Nagle holds back the
  // tail of a response until the client's delayed ACK (~40 ms per call on keep-alive connections).
  svr.set_tcp_nodelay(true);
  svr.set_exception_handler([](const Request& req, Response& res, std::exception_ptr ep) {
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      spdlog::error("http: {} {} failed: {}", req.method, req.path, e.what());
    } catch (...) {
      spdlog::error("http: {} {} failed with an unknown exception", req.method, req.path);
    }
    SetError(res, 500, "Internal Server Error", kInternalError);
  });
  svr.set_pre_routing_handler([this](const Request& req, Response& res) {
    return RefuseBeforeRouting(req, res) ? HandlerResponse::Handled : HandlerResponse::Unhandled;
  });
  if (!options_.path.empty()) {
  svr.Post(options_.path, [this](const Request& req, Response& res) { HandlePost(req, res); });
  svr.Get(options_.path, [this](const Request& req, Response& res) { HandleGet(req, res); });
  svr.Delete(options_.path, [this](const Request& req, Response& res) { HandleDelete(req, res); });
  svr.Put(options_.path, HandleUnsupportedMethod);
  svr.Patch(options_.path, HandleUnsupportedMethod);
  }
  for (const auto& [page_path, page] : options_.pages) {
    HttpPageFn fn = page;
    svr.Get(page_path, [fn](const Request&, Response& res) { ServePage(fn, res); });
    auto not_allowed = [](const Request&, Response& res) {
      res.set_header("Allow", "GET");
      res.status = 405;
      res.set_content("Method Not Allowed: this page answers GET only\n", "text/plain");
    };
    svr.Post(page_path, not_allowed);
    svr.Put(page_path, not_allowed);
    svr.Delete(page_path, not_allowed);
    svr.Patch(page_path, not_allowed);
  }

  if (o.port == 0) {
    port_ = svr.bind_to_any_port(o.host);
    if (port_ <= 0) return Status::Unavailable("http: cannot bind " + o.host);
  } else {
    if (!svr.bind_to_port(o.host, o.port))
      return Status::Unavailable("http: cannot bind " + o.host + ":" + std::to_string(o.port) +
                                 " (in use, or not a local address)");
    port_ = o.port;
  }
  thread_ = std::thread([this] { impl_->svr.listen_after_bind(); });
  return Status::OK();
}

bool StreamableHttpServer::RefuseBeforeRouting(const Request& req, Response& res) {
    // Everything here runs before the body is read; framing (Transfer-Encoding, Content-Length,
    // Content-Encoding, header syntax) was checked on the raw head (transport/http_request_head.h).
    // A refused request's body is never read, so its connection must not serve another request.
    auto refuse = [&](int status, const std::string& message) {
      res.set_header("Connection", "close");
      CloseConnectionAfterResponse();
      SetError(res, status, message);
      return true;
    };
    if ((options_.path.empty() || req.path != options_.path) && !options_.pages.count(req.path))
      return refuse(404, options_.path.empty() ? "Not Found: this server has no MCP endpoint"
                                               : "Not Found: the MCP endpoint is " + options_.path);
    AccessVerdict v = impl_->access.Check(req.get_header_value("Host"), req.get_header_value("Origin"),
                                   req.get_header_value("Authorization"));
    if (v.status == 401)
      res.set_header("WWW-Authenticate", "Bearer realm=\"baton\"");
    if (v.status != 200) return refuse(v.status, v.message);
    return false;
}

std::string StreamableHttpServer::PrincipalOf(const Request& req) const {
    return impl_->access.Check(req.get_header_value("Host"), req.get_header_value("Origin"),
                        req.get_header_value("Authorization"))
        .principal;
}

std::shared_ptr<HttpSession> StreamableHttpServer::FindSession(const Request& req, Response& res,
                                                              bool& refused) {
    refused = false;
    if (!req.has_header("Mcp-Session-Id")) return nullptr;
    auto s = sessions_.Find(req.get_header_value("Mcp-Session-Id"));
    if (!s || s->principal() != PrincipalOf(req)) {
      refused = true;
      SetError(res, 404, "Not Found: no such session (it was deleted or expired); initialize again");
      return nullptr;
    }
    if (req.has_header("MCP-Protocol-Version")) {
      const std::string& v = req.get_header_value("MCP-Protocol-Version");
      const auto& ok = options_.session_versions;
      if (std::find(ok.begin(), ok.end(), v) == ok.end()) {
        refused = true;
        SetError(res, 400, "Bad Request: unsupported MCP-Protocol-Version \"" + v + "\"");
        return nullptr;
      }
    }
    return s;
}

void StreamableHttpServer::ServeStream(Response& res, const std::shared_ptr<SseStream>& stream,
                                       uint64_t after, bool resumable,
                                       const std::shared_ptr<HttpExchange>& exchange) {
    impl_->Remember(impl_->live_streams, stream);
    uint64_t consumer = stream->Attach();
    std::atomic<int>& counter = exchange ? impl_->post_streams : impl_->sse_open;
    ++counter;
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    auto last = std::make_shared<uint64_t>(after);
    auto retry_sent = std::make_shared<bool>(!resumable);
    int keepalive = options_.sse_keepalive_ms, retry = options_.sse_retry_ms;
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, stream, consumer, last, retry_sent, keepalive, retry, exchange](size_t, DataSink& sink) {
          if (impl_->stopping) {
            // Shutting down: what the stream already holds (a final response) still goes out.
            std::string rest;
            auto batch = stream->WaitAfter(consumer, *last, std::chrono::milliseconds(0));
            for (const auto& e : batch.events) rest += stream->Format(e);
            if (!rest.empty() && !sink.write(rest.data(), rest.size())) return false;
            sink.done();
            return true;
          }
          std::string out;
          if (!*retry_sent) {
            out = "retry: " + std::to_string(retry) + "\n\n";
            *retry_sent = true;
          }
          bool closing = exchange && exchange->TakeCloseRequest();
          auto batch = stream->WaitAfter(consumer, *last,
                                         std::chrono::milliseconds(closing ? 0 : keepalive));
          for (const auto& e : batch.events) {
            out += stream->Format(e);
            *last = e.seq;
          }
          if (out.empty() && !batch.closed && !batch.superseded) out = ": keepalive\n\n";
          if (!out.empty() && !sink.write(out.data(), out.size())) {
            if (exchange) exchange->MarkClientGone();
            return false;
          }
          if (batch.closed || batch.superseded || closing) sink.done();
          return true;
        },
        [&counter, exchange](bool success) {
          --counter;
          if (!success && exchange) exchange->MarkClientGone();
        });
}

void StreamableHttpServer::HandlePost(const Request& req, Response& res) {
    AcceptedTypes accept = ParseAccept(req);
    if (!accept.json && !accept.sse)
      return SetError(res, 406, "Not Acceptable: accept application/json and text/event-stream");
    std::string ctype = Lower(req.get_header_value("Content-Type"));
    if (ctype.rfind("application/json", 0) != 0)
      return SetError(res, 415, "Unsupported Media Type: POST a JSON-RPC message as application/json");
    if (!JsonDepthWithin(req.body, kMaxJsonDepth))
      return SetError(res, 400, "Parse error: " + JsonTooDeepMessage(), kParseError);
    nlohmann::json body = ParseJsonOrDiscarded(req.body);
    if (body.is_discarded())
      return SetError(res, 400, "Parse error: the body is not valid JSON", kParseError);
    bool refused = false;
    HttpPost post;
    post.session = FindSession(req, res, refused);
    if (refused) return;
    post.has_request = IsRequest(body);
    if (body.is_array())
      for (const auto& m : body) post.has_request = post.has_request || IsRequest(m);
    if (post.has_request && impl_->pending_posts + impl_->post_streams >= options_.max_pending_posts) {
      res.set_header("Retry-After", "2");
      return SetError(res, 503, "Service Unavailable: too many requests in flight; retry shortly");
    }
    post.message = std::move(body);
    post.principal = PrincipalOf(req);
    for (const auto& [name, value] : req.headers) post.headers[Lower(name)] = value;
    post.sessions = &sessions_;
    auto exchange = std::make_shared<HttpExchange>(accept.json, accept.sse);
    if (post.session) exchange->BindSession(post.session);
    impl_->Remember(impl_->live_exchanges, exchange);
    bool has_request = post.has_request;
    ++impl_->pending_posts;
    handler_.OnPost(std::move(post), exchange);
    if (!has_request) exchange->Accept();
    if (impl_->stopping) exchange->Abandon();
    auto bound = exchange->session();  // set by now (initialize binds during OnPost)
    auto form = exchange->WaitForm([&] {  // called with the exchange locked
      auto stream = bound ? bound->NewStream()
                      : std::make_shared<SseStream>(RandomHexId(4), options_.replay_events);
      if (exchange->resumable()) stream->Push("");  // the priming event (SEP-1699)
      return stream;
    });
    --impl_->pending_posts;
    if (auto s = exchange->session()) res.set_header("Mcp-Session-Id", s->id());
    switch (form) {
      case HttpExchange::Form::kAccepted: res.status = 202; return;
      case HttpExchange::Form::kRejected:
      case HttpExchange::Form::kJson:
        res.status = exchange->status();
        if (!exchange->body().is_null())
          res.set_content(Serialize(exchange->body()), "application/json");
        return;
      case HttpExchange::Form::kSse:
        res.status = 200;
        return ServeStream(res, exchange->stream(), 0, exchange->resumable(), exchange);
      case HttpExchange::Form::kPending: return;
    }
}

void StreamableHttpServer::HandleGet(const Request& req, Response& res) {
    if (!ParseAccept(req).sse || !req.has_header("Accept"))
      return SetError(res, 406, "Not Acceptable: a GET opens an SSE stream; accept text/event-stream");
    bool refused = false;
    auto session = FindSession(req, res, refused);
    if (refused) return;
    if (!session) {
      res.set_header("Allow", "POST");
      return SetError(res, 405, "Method Not Allowed: GET needs an MCP-Session-Id (sessions start "
                                "with initialize)");
    }
    if (impl_->sse_open >= options_.max_sse_streams) {
      res.set_header("Retry-After", "5");
      return SetError(res, 503, "Service Unavailable: too many open SSE streams");
    }
    std::string version = req.get_header_value("MCP-Protocol-Version");
    bool resumable = version >= "2025-11-25";
    if (req.has_header("Last-Event-ID")) {
      auto parsed = SseStream::ParseEventId(req.get_header_value("Last-Event-ID"));
      if (parsed)
        if (auto stream = session->FindStream(parsed->first)) {
          res.set_header("Mcp-Session-Id", session->id());
          return ServeStream(res, stream, parsed->second, false, nullptr);
        }
    }
    auto stream = session->NewStandaloneStream();
    if (resumable) stream->Push("");
    res.set_header("Mcp-Session-Id", session->id());
    ServeStream(res, stream, 0, resumable, nullptr);
}

void StreamableHttpServer::HandleDelete(const Request& req, Response& res) {
    bool refused = false;
    auto session = FindSession(req, res, refused);
    if (refused) return;
    if (!session) return SetError(res, 400, "Bad Request: DELETE needs an MCP-Session-Id");
    if (auto s = sessions_.Remove(session->id())) {
      s->CloseAllStreams();
      handler_.OnSessionClosed(s);
    }
    res.status = 200;
}

void StreamableHttpServer::HandleUnsupportedMethod(const Request&, Response& res) {
      res.set_header("Allow", "GET, POST, DELETE");
      SetError(res, 405, "Method Not Allowed");
}

void StreamableHttpServer::ServePage(const HttpPageFn& page, Response& res) {
  HttpPage p = page();
  res.status = p.status;
  res.set_content(p.body, p.content_type);
}

void StreamableHttpServer::Stop() {
  if (stopped_.exchange(true)) return;
  impl_->stopping = true;
  for (const auto& s : sessions_.RemoveAll()) {
    s->CloseAllStreams();
    handler_.OnSessionClosed(s);
  }
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    // Open streams are ended now; closed ones end by themselves once their consumer has sent
    // what they hold.
    for (auto& w : impl_->live_streams)
      if (auto s = w.lock(); s && !s->closed()) s->Attach();
    for (auto& w : impl_->live_exchanges)
      if (auto e = w.lock()) e->Abandon();
  }
  impl_->svr.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace baton::transport
