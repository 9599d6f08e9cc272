#include "server/events/notify_config.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>

#include "base/json_parse.h"
#include "base/parse_number.h"

namespace baton {
namespace {

using nlohmann::json;

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
    c.nats.url = j.value("nats", c.nats.url);
    c.nats.instance = j.value("instance", c.nats.instance);
    c.nats.stream = j.value("stream", c.nats.stream);
    c.consumer.durable = j.value("durable", c.consumer.durable);
    c.consumer.filter = j.value("filter", c.consumer.filter);
    c.events = j.value("events", c.events);
    c.consumer.deliver_all = j.value("deliver", std::string("new")) == "all";
    c.max_deliver = j.value("max_deliver", c.max_deliver);
    BATON_RETURN_IF_ERROR(dur(j, "ack_wait", c.consumer.ack_wait_ms));
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

int64_t MaxDeliveries(const NotifyConfig& config) {
  return config.max_deliver > 0 ? config.max_deliver
                                : static_cast<int64_t>(config.retry_schedule_ms.size()) + 1;
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
    else if (f == "--nats") c.nats.url = v;
    else if (f == "--instance") c.nats.instance = v;
    else if (f == "--stream") c.nats.stream = v;
    else if (f == "--durable") c.consumer.durable = v;
    else if (f == "--filter") c.consumer.filter = v;
    else if (f == "--events") c.events = list();
    else if (f == "--deliver" && (v == "all" || v == "new")) c.consumer.deliver_all = v == "all";
    else if (f == "--ack-wait") BATON_RETURN_IF_ERROR(dur(c.consumer.ack_wait_ms));
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
  if (action_ms >= c.consumer.ack_wait_ms)
    return Status::InvalidArgument("notify: the action timeout must be shorter than --ack-wait");
  if (c.max_deliver < 0) return Status::InvalidArgument("notify: --max-deliver must be >= 1");
  if (c.consumer.durable.empty()) return Status::InvalidArgument("notify: --durable must not be empty");
  return c;
}

}  // namespace baton
