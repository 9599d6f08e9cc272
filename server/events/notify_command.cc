#include "server/events/notify_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "base/clock.h"
#include "base/json_parse.h"
#include "base/parse_number.h"
#include "server/events/event_drainer.h"
#include "transport/jetstream_publisher.h"

extern char** environ;

namespace baton {
namespace {

using nlohmann::json;
namespace t = baton::transport;

constexpr const char* kUsage = R"(usage: baton notify [flags]
  --config FILE            JSON config (examples/notifiers/); flags override it
  --nats URL               server (default nats://127.0.0.1:4222)
  --instance NAME          baton instance (default "default")
  --stream NAME            stream (default BATON_EVENTS, or BATON_EVENTS_<instance>)
  --durable NAME           durable consumer name (default baton-notify)
  --filter SUBJECT         subject filter (default baton.<instance>.job.>)
  --events a,b,...         event types to act on (default: all)
  --deliver all|new        where a new consumer starts (default new)
  --ack-wait DUR           (default 120s)  --max-deliver N  (default: schedule + 1)
  --retry-schedule D,D,... delays between deliveries (default 5s,5m,30m,2h,5h,10h,10h)
  --idle-exit DUR          exit after DUR without events (default: run until SIGTERM)
  --webhook URL            POST each event; --method M, --header 'K: V', --body TEMPLATE,
                           --timeout DUR (default 10s)
  --command ARGV...        run a command per event (event JSON on stdin); all remaining
                           arguments are its argv; --timeout DUR before it (default 60s)
)";

std::string Join(const json& arr) {
  std::string out;
  for (const json& v : arr) {
    if (!out.empty()) out += ' ';
    out += v.is_string() ? v.get<std::string>() : v.dump();
  }
  return out;
}

json ExpandJson(const json& tmpl, const json& payload, const std::string& subject) {
  if (tmpl.is_string()) return ExpandTemplate(tmpl.get<std::string>(), payload, subject);
  if (!tmpl.is_structured()) return tmpl;
  json out = tmpl;
  for (auto& [k, v] : out.items()) v = ExpandJson(v, payload, subject);
  return out;
}

// A duration in a config file: "5s" or a number of seconds.
std::optional<int64_t> JsonDurationMs(const json& v) {
  return ParseDurationMs(v.is_string() ? v.get<std::string>() : v.dump());
}

Status ReadConfigFile(const std::string& path, NotifyConfig& c) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("notify: cannot read --config " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto parsed = ParseJson(text, /*ignore_comments=*/true);
  if (!parsed.ok()) return Status::InvalidArgument("notify: " + path + ": " + parsed.status().message());
  json j = std::move(parsed).value();
  if (!j.is_object()) return Status::InvalidArgument("notify: " + path + " is not a JSON object");
  try {
    auto dur = [&](const json& obj, const char* key, int64_t& out) -> Status {
      if (!obj.contains(key)) return Status::OK();
      auto ms = JsonDurationMs(obj[key]);
      if (!ms) return Status::InvalidArgument(std::string("notify: bad duration in \"") + key + "\"");
      out = *ms;
      return Status::OK();
    };
    c.nats_url = j.value("nats", c.nats_url);
    c.instance = j.value("instance", c.instance);
    c.stream = j.value("stream", c.stream);
    c.durable = j.value("durable", c.durable);
    c.filter = j.value("filter", c.filter);
    c.events = j.value("events", c.events);
    c.deliver_all = j.value("deliver", std::string("new")) == "all";
    c.max_deliver = j.value("max_deliver", c.max_deliver);
    BATON_RETURN_IF_ERROR(dur(j, "ack_wait", c.ack_wait_ms));
    BATON_RETURN_IF_ERROR(dur(j, "idle_exit", c.idle_exit_ms));
    if (j.contains("retry_schedule")) {
      c.retry_schedule_ms.clear();
      for (const json& d : j["retry_schedule"]) {
        auto ms = JsonDurationMs(d);
        if (!ms) return Status::InvalidArgument("notify: bad duration in \"retry_schedule\"");
        c.retry_schedule_ms.push_back(*ms);
      }
    }
    if (j.contains("webhook")) {
      const json& w = j["webhook"];
      WebhookAction a;
      a.url = w.at("url").get<std::string>();
      a.method = w.value("method", a.method);
      a.headers = w.value("headers", a.headers);
      if (w.contains("body")) {
        if (w["body"].is_string()) a.body_text = w["body"].get<std::string>();
        else a.body_json = w["body"].dump();
      }
      BATON_RETURN_IF_ERROR(dur(w, "timeout", a.timeout_ms));
      c.webhook = a;
    }
    if (j.contains("command")) {
      const json& cmd = j["command"];
      CommandAction a;
      a.argv = (cmd.is_array() ? cmd : cmd.at("argv")).get<std::vector<std::string>>();
      if (cmd.is_object()) BATON_RETURN_IF_ERROR(dur(cmd, "timeout", a.timeout_ms));
      c.command = a;
    }
  } catch (const json::exception& e) {
    return Status::InvalidArgument("notify: " + path + ": " + e.what());
  }
  return Status::OK();
}

// --- actions ------------------------------------------------------------------------------

Status RunCommandAction(const CommandAction& a, const json& payload, const std::string& subject) {
  std::vector<std::string> argv;
  for (const std::string& arg : a.argv) argv.push_back(ExpandTemplate(arg, payload, subject));
  std::vector<std::string> env_extra = {
      "BATON_EVENT_SUBJECT=" + subject,
      "BATON_EVENT_TYPE=" + payload.value("type", std::string()),
      "BATON_EVENT_ID=" + std::to_string(payload.value("id", int64_t{0})),
      "BATON_JOB_ID=" + std::to_string(payload.value("job_id", int64_t{0}))};
  std::vector<char*> cargv, cenv;
  for (std::string& s : argv) cargv.push_back(s.data());
  cargv.push_back(nullptr);
  for (char** e = environ; *e; ++e) cenv.push_back(*e);
  for (std::string& s : env_extra) cenv.push_back(s.data());
  cenv.push_back(nullptr);
  int in[2];
  if (pipe2(in, O_CLOEXEC) != 0) return Status::Internal("notify: pipe failed");
  pid_t pid = fork();
  if (pid < 0) {
    close(in[0]);
    close(in[1]);
    return Status::Internal("notify: fork failed");
  }
  if (pid == 0) {
    dup2(in[0], 0);
    execvpe(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
  close(in[0]);
  std::string body = payload.dump() + "\n";
  for (size_t off = 0; off < body.size();) {
    ssize_t n = write(in[1], body.data() + off, body.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the command does not read its stdin: fine
    off += static_cast<size_t>(n);
  }
  close(in[1]);
  int64_t deadline = MonotonicMs() + a.timeout_ms;
  int st = 0;
  while (waitpid(pid, &st, WNOHANG) == 0) {
    if (MonotonicMs() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &st, 0);
      return Status::DeadlineExceeded("notify: command " + argv[0] + " timed out");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return Status::OK();
  return Status::Unavailable("notify: command " + argv[0] + " failed (" +
                             (WIFEXITED(st) ? "exit " + std::to_string(WEXITSTATUS(st))
                                            : "signal " + std::to_string(WTERMSIG(st))) + ")");
}

Status RunWebhookAction(const WebhookAction& a, const json& payload, const std::string& subject) {
  std::string url = ExpandTemplate(a.url, payload, subject);
  size_t scheme_end = url.find("://");
  size_t path_start = scheme_end == std::string::npos ? std::string::npos
                                                      : url.find('/', scheme_end + 3);
  std::string base = url.substr(0, path_start);  // logged: never the path (it may hold a token)
  httplib::Request req;
  req.method = a.method;
  req.path = path_start == std::string::npos ? "/" : url.substr(path_start);
  std::string content_type = "application/json";
  if (a.body_json) {
    req.body = ExpandJson(ParseJsonOrDiscarded(*a.body_json), payload, subject).dump();
  } else if (!a.body_text.empty()) {
    req.body = ExpandTemplate(a.body_text, payload, subject);
    content_type = "text/plain; charset=utf-8";
  } else {
    req.body = payload.dump();
  }
  bool has_type = false;
  for (const auto& [k, v] : a.headers) {
    req.headers.emplace(k, ExpandTemplate(v, payload, subject));
    if (strcasecmp(k.c_str(), "Content-Type") == 0) has_type = true;
  }
  if (!has_type) req.headers.emplace("Content-Type", content_type);
  req.headers.emplace("User-Agent", "baton-notify");
  req.headers.emplace("Idempotency-Key", payload.value("instance", std::string()) + ":" +
                                             std::to_string(payload.value("id", int64_t{0})));
  httplib::Client cli(base);
  if (!cli.is_valid()) return Status::InvalidArgument("notify: bad webhook URL " + base);
  auto timeout = std::chrono::milliseconds(a.timeout_ms);
  cli.set_connection_timeout(timeout);
  cli.set_read_timeout(timeout);
  cli.set_write_timeout(timeout);
  httplib::Result res = cli.send(req);
  if (!res) return Status::Unavailable("notify: webhook " + base + ": " + httplib::to_string(res.error()));
  if (res->status < 200 || res->status > 299)
    return Status::Unavailable("notify: webhook " + base + " answered " + std::to_string(res->status));
  return Status::OK();
}

// --- the consumer ----------------------------------------------------------------------------

Result<t::NatsSubscriptionPtr> Subscribe(jsCtx* js, const NotifyConfig& c) {
  NatsOptions names;
  names.instance = c.instance;
  names.stream = c.stream;
  std::string stream = StreamName(names);
  std::string filter = c.filter.empty() ? "baton." + SubjectToken(c.instance) + ".job.>" : c.filter;
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream.c_str();
  so.Config.Durable = c.durable.c_str();
  so.Config.AckPolicy = js_AckExplicit;
  so.Config.AckWait = c.ack_wait_ms * 1000000;
  so.Config.MaxDeliver = c.max_deliver > 0 ? c.max_deliver
                                           : static_cast<int64_t>(c.retry_schedule_ms.size()) + 1;
  so.Config.DeliverPolicy = c.deliver_all ? js_DeliverAll : js_DeliverNew;
  natsSubscription* sub = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_PullSubscribe(&sub, js, filter.c_str(), c.durable.c_str(), nullptr, &so, &jerr);
  if (s != NATS_OK) return t::FromNats(s, "notify: subscribe " + stream + " " + filter);
  return t::NatsSubscriptionPtr(sub);
}

void Handle(natsMsg* msg, const NotifyConfig& c) {
  std::string subject = natsMsg_GetSubject(msg);
  std::string data(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
  json payload = ParseJsonOrDiscarded(data);  // a NATS message is untrusted input
  uint64_t delivered = 1;
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
    delivered = meta->NumDelivered;
    jsMsgMetaData_Destroy(meta);
  }
  if (!payload.is_object()) {
    spdlog::warn("notify: {}: payload is not a JSON object; dropped", subject);
    natsMsg_Term(msg, nullptr);
    return;
  }
  std::string type = payload.value("type", std::string());
  if (!c.events.empty() && std::find(c.events.begin(), c.events.end(), type) == c.events.end()) {
    natsMsg_Ack(msg, nullptr);
    return;
  }
  Status st = c.webhook ? RunWebhookAction(*c.webhook, payload, subject)
                        : RunCommandAction(*c.command, payload, subject);
  int64_t max_deliver = c.max_deliver > 0 ? c.max_deliver
                                          : static_cast<int64_t>(c.retry_schedule_ms.size()) + 1;
  if (st.ok()) {
    spdlog::info("notify: event {} ({}) delivered", payload.value("id", int64_t{0}), subject);
    natsMsg_AckSync(msg, nullptr, nullptr);
  } else if (static_cast<int64_t>(delivered) >= max_deliver) {
    spdlog::error("notify: event {} ({}) failed {} times, giving up: {}",
                  payload.value("id", int64_t{0}), subject, delivered, st.message());
    natsMsg_Term(msg, nullptr);
  } else {
    int64_t delay = c.retry_schedule_ms.empty()
                        ? 0
                        : c.retry_schedule_ms[std::min<size_t>(delivered - 1,
                                                               c.retry_schedule_ms.size() - 1)];
    spdlog::warn("notify: event {} ({}) attempt {} failed, retry in {} ms: {}",
                 payload.value("id", int64_t{0}), subject, delivered, delay, st.message());
    natsMsg_NakWithDelay(msg, delay, nullptr);
  }
}

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

}  // namespace

std::optional<int64_t> ParseDurationMs(const std::string& text) {
  if (text.empty()) return std::nullopt;
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || !std::isfinite(v)) return std::nullopt;
  std::string unit(ptr, text.data() + text.size());
  double mult = unit == "ms" ? 1 : unit == "s" || unit.empty() ? 1000 : unit == "m" ? 60000
              : unit == "h" ? 3600000 : -1;
  // Beyond ~292 million years the product does not fit in int64 ms.
  if (mult < 0 || v < 0 || v * mult > 9.2e18) return std::nullopt;
  return static_cast<int64_t>(v * mult);
}

std::string ExpandTemplate(const std::string& text, const json& payload,
                           const std::string& subject) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("{{", i);
    size_t close = open == std::string::npos ? open : text.find("}}", open + 2);
    if (close == std::string::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, open - i);
    std::string key = text.substr(open + 2, close - open - 2);
    key.erase(0, key.find_first_not_of(' '));
    key.erase(key.find_last_not_of(' ') + 1);
    if (key == "subject") {
      out += subject;
    } else if (key.rfind("env.", 0) == 0) {  // from the notifier's environment (secrets)
      const char* v = std::getenv(key.c_str() + 4);
      out += v ? v : "";
    } else if (key == "json") {
      out += payload.dump();
    } else {
      const json* v = &payload;
      std::stringstream path(key);
      std::string part;
      while (v && std::getline(path, part, '.'))
        v = v->is_object() && v->contains(part) ? &(*v)[part] : nullptr;
      if (v && v->is_string()) out += v->get<std::string>();
      else if (v && v->is_array()) out += Join(*v);
      else if (v && !v->is_null()) out += v->dump();
    }
    i = close + 2;
  }
  return out;
}

Result<NotifyConfig> ParseNotifyArgs(const std::vector<std::string>& args) {
  NotifyConfig c;
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--config") BATON_RETURN_IF_ERROR(ReadConfigFile(args[i + 1], c));
  std::optional<int64_t> timeout;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& f = args[i];
    if (f == "--command") {
      c.command = CommandAction{{args.begin() + static_cast<long>(i) + 1, args.end()}};
      if (c.command->argv.empty()) return Status::InvalidArgument("notify: --command needs argv");
      break;
    }
    if (i + 1 >= args.size()) return Status::InvalidArgument("notify: unknown or incomplete flag " + f);
    const std::string& v = args[++i];
    auto dur = [&](int64_t& out) -> Status {
      auto ms = ParseDurationMs(v);
      if (!ms) return Status::InvalidArgument("notify: " + f + ": bad duration '" + v + "'");
      out = *ms;
      return Status::OK();
    };
    auto list = [&] {
      std::vector<std::string> out;
      std::stringstream ss(v);
      for (std::string item; std::getline(ss, item, ',');)
        if (!item.empty()) out.push_back(item);
      return out;
    };
    auto webhook = [&]() -> WebhookAction& {
      if (!c.webhook) c.webhook = WebhookAction{};
      return *c.webhook;
    };
    if (f == "--config") continue;
    else if (f == "--nats") c.nats_url = v;
    else if (f == "--instance") c.instance = v;
    else if (f == "--stream") c.stream = v;
    else if (f == "--durable") c.durable = v;
    else if (f == "--filter") c.filter = v;
    else if (f == "--events") c.events = list();
    else if (f == "--deliver" && (v == "all" || v == "new")) c.deliver_all = v == "all";
    else if (f == "--ack-wait") BATON_RETURN_IF_ERROR(dur(c.ack_wait_ms));
    else if (f == "--idle-exit") BATON_RETURN_IF_ERROR(dur(c.idle_exit_ms));
    else if (f == "--max-deliver") {
      BATON_ASSIGN_OR_RETURN(int64_t n, ParseInt64(v, "notify: --max-deliver", 1, 1000000));
      c.max_deliver = static_cast<int>(n);
    }
    else if (f == "--webhook") webhook().url = v;
    else if (f == "--method") webhook().method = v;
    else if (f == "--body") webhook().body_text = v;
    else if (f == "--header" && v.find(':') != std::string::npos) {
      std::string value = v.substr(v.find(':') + 1);
      value.erase(0, value.find_first_not_of(' '));
      webhook().headers[v.substr(0, v.find(':'))] = value;
    } else if (f == "--timeout") {
      int64_t ms = 0;
      BATON_RETURN_IF_ERROR(dur(ms));
      timeout = ms;
    } else if (f == "--retry-schedule") {
      c.retry_schedule_ms.clear();
      for (const std::string& d : list()) {
        auto ms = ParseDurationMs(d);
        if (!ms) return Status::InvalidArgument("notify: --retry-schedule: bad duration '" + d + "'");
        c.retry_schedule_ms.push_back(*ms);
      }
    } else {
      return Status::InvalidArgument("notify: unknown flag or bad value: " + f + " " + v);
    }
  }
  if (timeout && c.webhook) c.webhook->timeout_ms = *timeout;
  if (timeout && c.command) c.command->timeout_ms = *timeout;
  if (c.webhook.has_value() == c.command.has_value())
    return Status::InvalidArgument("notify: give exactly one action: --webhook URL or --command ARGV...");
  if (c.webhook && c.webhook->url.rfind("http://", 0) != 0 && c.webhook->url.rfind("https://", 0) != 0)
    return Status::InvalidArgument("notify: --webhook needs an http:// or https:// URL");
  int64_t action_ms = c.webhook ? c.webhook->timeout_ms : c.command->timeout_ms;
  if (action_ms >= c.ack_wait_ms)
    return Status::InvalidArgument("notify: the action timeout must be shorter than --ack-wait");
  if (c.max_deliver < 0) return Status::InvalidArgument("notify: --max-deliver must be >= 1");
  if (c.durable.empty()) return Status::InvalidArgument("notify: --durable must not be empty");
  return c;
}

Status RunNotifier(const NotifyConfig& config, const std::atomic<bool>& stop) {
  t::NatsConnectOptions co;
  co.url = config.nats_url;
  co.client_name = "baton-notify-" + config.durable;
  BATON_ASSIGN_OR_RETURN(t::NatsConnectionPtr nc, t::ConnectNats(co, /*require_connected=*/false));
  jsCtx* raw_js = nullptr;
  BATON_RETURN_IF_ERROR(t::FromNats(natsConnection_JetStream(&raw_js, nc.get(), nullptr), "jetstream"));
  t::JsCtxPtr js(raw_js);
  t::NatsSubscriptionPtr sub;
  int64_t last_event = MonotonicMs();
  int64_t backoff_ms = 100;
  Status last = Status::Unavailable("notify: not subscribed yet");
  while (!stop) {
    if (config.idle_exit_ms > 0 && MonotonicMs() - last_event > config.idle_exit_ms) break;
    if (!sub) {
      auto s = Subscribe(js.get(), config);
      if (!s.ok()) {
        last = s.status();
        if (last.code() != StatusCode::kUnavailable && natsConnection_Status(nc.get()) ==
                                                           NATS_CONN_STATUS_CONNECTED)
          spdlog::warn("{}", last.ToString());  // e.g. the stream does not exist yet
        std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
        backoff_ms = std::min<int64_t>(backoff_ms * 2, 5000);
        continue;
      }
      sub = std::move(s).value();
      last = Status::OK();
      spdlog::info("notify: consuming as durable '{}'", config.durable);
    }
    natsMsgList list{};
    jsErrCode jerr = static_cast<jsErrCode>(0);
    // One at a time: a batch could outlive the ack wait while its first actions run.
    natsStatus s = natsSubscription_Fetch(&list, sub.get(), 1, 500, &jerr);
    if (s == NATS_TIMEOUT) continue;
    if (s != NATS_OK) {  // disconnected: the library reconnects; try again shortly
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    last_event = MonotonicMs();
    for (int i = 0; i < list.Count; ++i) Handle(list.Msgs[i], config);
    natsMsgList_Destroy(&list);
  }
  return last;
}

int RunNotifyCommand(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (a == "--command") break;
  }
  auto config = ParseNotifyArgs(args);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n%s", config.status().message().c_str(), kUsage);
    return 2;
  }
  struct sigaction sa {}, old_int {}, old_term {}, old_pipe {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &old_pipe);  // a command that does not read its stdin
  g_stop = false;
  Status st = RunNotifier(*config, g_stop);
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  sigaction(SIGPIPE, &old_pipe, nullptr);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace baton
