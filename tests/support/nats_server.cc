#include "tests/support/nats_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "transport/nats_connection.h"

namespace baton::testing {
namespace {

int ConnectLoopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// True when the server on `port` greets with an INFO line announcing JetStream.
bool JetStreamReady(int port) {
  int fd = ConnectLoopback(port);
  if (fd < 0) return false;
  std::string info;
  char buf[4096];
  pollfd p{fd, POLLIN, 0};
  while (info.find('\n') == std::string::npos && poll(&p, 1, 500) > 0) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    info.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return info.rfind("INFO ", 0) == 0 && info.find("\"jetstream\":true") != std::string::npos;
}

}  // namespace

NatsServer::NatsServer(NatsServerOptions options) : options_(options) {
  store_dir_ = dir_.File("jetstream");
  config_file_ = dir_.File("nats.conf");
  log_file_ = dir_.File("nats.log");
  std::filesystem::create_directories(store_dir_);
  port_ = FreeLoopbackPort();
  WriteFile(config_file_,
            "listen: \"127.0.0.1:" + std::to_string(port_) + "\"\n"
            "server_name: baton_test_" + std::to_string(port_) + "\n"
            "max_payload: " + std::to_string(options_.max_payload_bytes) + "\n"
            "log_file: \"" + log_file_ + "\"\n"
            "jetstream {\n"
            "  store_dir: \"" + store_dir_ + "\"\n"
            "  max_file_store: " + std::to_string(options_.max_file_store_bytes) + "\n"
            "  max_memory_store: " + std::to_string(options_.max_memory_store_bytes) + "\n"
            "}\n");
  Launch();
}

NatsServer::~NatsServer() { Stop(); }

void NatsServer::Launch() {
  process_ = std::make_unique<Subprocess>(
      std::vector<std::string>{"nats-server", "-js", "-c", config_file_});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (JetStreamReady(port_)) return;
    if (process_->Wait(0).has_value()) break;  // exited (port taken?)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::string log = ReadFile(log_file_);
  process_.reset();
  throw std::runtime_error("nats-server did not start on port " + std::to_string(port_) +
                           ":\n" + log);
}

void NatsServer::Kill() {
  if (!process_) return;
  process_->Kill(SIGKILL);
  process_->Wait(10000);
  process_.reset();
}

void NatsServer::Restart() {
  Kill();
  Launch();
}

void NatsServer::Stop() {
  if (!process_) return;
  process_->Kill(SIGTERM);
  if (!process_->Wait(5000).has_value()) {
    process_->Kill(SIGKILL);
    process_->Wait(5000);
  }
  process_.reset();
}

}  // namespace baton::testing

namespace baton::testing {

std::vector<ReceivedMessage> FetchAll(const std::string& url, const std::string& stream,
                                      const std::string& durable, const std::string& filter,
                                      int idle_ms) {
  namespace t = baton::transport;
  t::NatsOptions co;
  co.url = url;
  co.client_name = "baton-test-consumer";
  auto nc = t::ConnectNats(co, /*require_connected=*/true);
  if (!nc.ok()) throw std::runtime_error(nc.status().ToString());
  jsCtx* raw_js = nullptr;
  if (natsConnection_JetStream(&raw_js, nc->get(), nullptr) != NATS_OK)
    throw std::runtime_error("jetstream context failed");
  t::JsCtxPtr js(raw_js);
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream.c_str();
  so.Config.AckPolicy = js_AckExplicit;
  so.Config.DeliverPolicy = js_DeliverAll;
  natsSubscription* raw_sub = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_PullSubscribe(&raw_sub, js.get(), filter.c_str(),
                                  durable.c_str(), nullptr, &so, &jerr);
  if (s != NATS_OK) throw std::runtime_error(t::FromNats(s, "pull subscribe").ToString());
  t::NatsSubscriptionPtr sub(raw_sub);
  std::vector<ReceivedMessage> out;
  while (true) {
    natsMsgList list{};
    s = natsSubscription_Fetch(&list, sub.get(), 256, idle_ms, &jerr);
    if (s == NATS_TIMEOUT) break;
    if (s != NATS_OK) throw std::runtime_error(t::FromNats(s, "fetch").ToString());
    for (int i = 0; i < list.Count; ++i) {
      natsMsg* m = list.Msgs[i];
      ReceivedMessage r;
      r.received_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
      r.subject = natsMsg_GetSubject(m);
      const char* id = nullptr;
      if (natsMsgHeader_Get(m, "Nats-Msg-Id", &id) == NATS_OK && id) r.msg_id = id;
      r.payload.assign(natsMsg_GetData(m), static_cast<size_t>(natsMsg_GetDataLength(m)));
      jsMsgMetaData* meta = nullptr;
      if (natsMsg_GetMetaData(&meta, m) == NATS_OK) {
        r.stream_seq = meta->Sequence.Stream;
        r.num_delivered = meta->NumDelivered;
        jsMsgMetaData_Destroy(meta);
      }
      natsMsg_AckSync(m, nullptr, nullptr);
      out.push_back(std::move(r));
    }
    natsMsgList_Destroy(&list);
  }
  return out;
}

}  // namespace baton::testing

namespace baton::testing {

StreamSummary GetStream(const std::string& url, const std::string& stream) {
  namespace t = baton::transport;
  t::NatsOptions co;
  co.url = url;
  co.client_name = "baton-test-inspector";
  auto nc = t::ConnectNats(co, /*require_connected=*/true);
  if (!nc.ok()) throw std::runtime_error(nc.status().ToString());
  jsCtx* raw_js = nullptr;
  if (natsConnection_JetStream(&raw_js, nc->get(), nullptr) != NATS_OK)
    throw std::runtime_error("jetstream context failed");
  t::JsCtxPtr js(raw_js);
  jsStreamInfo* raw = nullptr;
  natsStatus s = js_GetStreamInfo(&raw, js.get(), stream.c_str(), nullptr, nullptr);
  if (s != NATS_OK) throw std::runtime_error(t::FromNats(s, "stream info " + stream).ToString());
  t::JsStreamInfoPtr si(raw);
  StreamSummary out;
  out.msgs = si->State.Msgs;
  out.bytes = si->State.Bytes;
  out.first_seq = si->State.FirstSeq;
  out.last_seq = si->State.LastSeq;
  out.max_msgs = si->Config->MaxMsgs;
  out.max_bytes = si->Config->MaxBytes;
  out.max_age_ns = si->Config->MaxAge;
  out.duplicates_ns = si->Config->Duplicates;
  for (int i = 0; i < si->Config->SubjectsLen; ++i) out.subjects.push_back(si->Config->Subjects[i]);
  return out;
}

}  // namespace baton::testing
