#include "server/remote/work_protocol.h"

#include <nlohmann/json.hpp>

#include "base/json_parse.h"
#include "transport/nats_options.h"

namespace baton::remote {

using nlohmann::json;
using transport::SubjectToken;

namespace {

// Output may hold any bytes; a tail that is not UTF-8 is sent with U+FFFD, never as an error.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Reads the fields of one decoded message, keeping the first error (naming the message and the
// field) so that a decoder reads every field and checks once.
class Fields {
 public:
  Fields(std::string_view what, std::string_view body) : what_(what) {
    auto parsed = ParseJson(body);
    if (!parsed.ok()) error_ = parsed.status().message();
    else if (!parsed->is_object()) error_ = "not a JSON object";
    else j_ = std::move(*parsed);
  }
  const json& raw() const { return j_; }
  bool has(const char* key) const { return j_.is_object() && j_.contains(key) && !j_[key].is_null(); }

  int64_t Int(const char* key, bool required = true) {
    if (!has(key)) {
      if (required) Fail(key, "is missing");
      return 0;
    }
    if (!j_[key].is_number_integer()) {
      Fail(key, "must be an integer");
      return 0;
    }
    return j_[key].get<int64_t>();
  }
  std::optional<int> OptInt(const char* key) {
    if (!has(key)) return std::nullopt;
    return static_cast<int>(Int(key));
  }
  double Number(const char* key) {
    if (!has(key)) return 0;
    if (!j_[key].is_number()) {
      Fail(key, "must be a number");
      return 0;
    }
    return j_[key].get<double>();
  }
  std::string Str(const char* key, bool required = false) {
    if (!has(key)) {
      if (required) Fail(key, "is missing");
      return "";
    }
    if (!j_[key].is_string()) {
      Fail(key, "must be a string");
      return "";
    }
    return j_[key].get<std::string>();
  }
  bool Bool(const char* key) {
    if (!has(key)) return false;
    if (!j_[key].is_boolean()) {
      Fail(key, "must be true or false");
      return false;
    }
    return j_[key].get<bool>();
  }
  std::vector<std::string> Strings(const char* key, bool required) {
    std::vector<std::string> out;
    if (!has(key)) {
      if (required) Fail(key, "is missing");
      return out;
    }
    if (!j_[key].is_array()) {
      Fail(key, "must be an array of strings");
      return out;
    }
    for (const json& v : j_[key]) {
      if (!v.is_string()) {
        Fail(key, "must be an array of strings");
        return {};
      }
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  std::optional<AttemptOutcome> Outcome(const char* key) {
    std::string s = Str(key);
    if (s.empty()) return std::nullopt;
    auto o = AttemptOutcomeFromString(s);
    if (!o) Fail(key, "is not an attempt outcome: " + s);
    return o;
  }
  void Fail(std::string_view key, std::string_view why) {
    if (error_.empty()) error_ = std::string(key) + " " + std::string(why);
  }
  Status status() const {
    if (error_.empty()) return Status::OK();
    return Status::InvalidArgument(std::string(what_) + ": " + error_);
  }

 private:
  std::string what_;
  json j_;
  std::string error_;
};

}  // namespace

std::string WorkStreamName(std::string_view instance) {
  if (instance.empty() || instance == "default") return "BATON_WORK";
  return "BATON_WORK_" + SubjectToken(instance);
}
std::string WorkSubjects(std::string_view instance) {
  return "baton." + SubjectToken(instance) + ".work.>";
}
std::string WorkSubject(std::string_view instance, std::string_view queue) {
  return "baton." + SubjectToken(instance) + ".work." + SubjectToken(queue);
}
std::string WorkConsumerName(std::string_view queue) { return "w-" + SubjectToken(queue); }
std::string ControlSubject(std::string_view instance, std::string_view verb) {
  return "baton." + SubjectToken(instance) + ".ctl." + std::string(verb);
}
std::string WorkMsgId(JobId job, int attempt) {
  return std::to_string(job) + "." + std::to_string(attempt);
}

std::string Encode(const WorkOrder& m) {
  json j = {{"job", m.job}, {"attempt", m.attempt}, {"queue", m.queue}, {"argv", m.argv},
            {"cwd", m.cwd}, {"env", m.env}};
  if (m.stdin_data) j["stdin"] = *m.stdin_data;
  if (m.timeout_s > 0) j["timeout_s"] = m.timeout_s;
  if (m.inactivity_timeout_s > 0) j["inactivity_timeout_s"] = m.inactivity_timeout_s;
  return Dump(j);
}

Result<WorkOrder> DecodeWorkOrder(std::string_view body) {
  Fields f("work order", body);
  WorkOrder m;
  m.job = f.Int("job");
  m.attempt = static_cast<int>(f.Int("attempt"));
  m.queue = f.Str("queue", true);
  m.argv = f.Strings("argv", true);
  if (f.status().ok() && m.argv.empty()) f.Fail("argv", "is empty");
  m.cwd = f.Str("cwd");
  if (f.has("env")) {
    if (!f.raw()["env"].is_object()) f.Fail("env", "must be an object of strings");
    else
      for (const auto& [k, v] : f.raw()["env"].items()) {
        if (!v.is_string()) {
          f.Fail("env", "must be an object of strings");
          break;
        }
        m.env[k] = v.get<std::string>();
      }
  }
  if (f.has("stdin")) m.stdin_data = f.Str("stdin");
  m.timeout_s = f.Number("timeout_s");
  m.inactivity_timeout_s = f.Number("inactivity_timeout_s");
  BATON_RETURN_IF_ERROR(f.status());
  return m;
}

std::string Encode(const Claim& m) {
  return Dump({{"job", m.job}, {"attempt", m.attempt}, {"worker", m.worker}, {"token", m.token},
               {"delivered", m.delivered}});
}

Result<Claim> DecodeClaim(std::string_view body) {
  Fields f("claim", body);
  Claim m;
  m.job = f.Int("job");
  m.attempt = static_cast<int>(f.Int("attempt"));
  m.worker = f.Str("worker", true);
  m.token = f.Str("token", true);
  m.delivered = static_cast<uint64_t>(f.Int("delivered", false));
  BATON_RETURN_IF_ERROR(f.status());
  if (m.token.empty()) return Status::InvalidArgument("claim: token is empty");
  return m;
}

std::string Encode(const Heartbeat& m) {
  return Dump({{"job", m.job}, {"attempt", m.attempt}, {"worker", m.worker}, {"token", m.token}});
}

Result<Heartbeat> DecodeHeartbeat(std::string_view body) {
  Fields f("heartbeat", body);
  Heartbeat m;
  m.job = f.Int("job");
  m.attempt = static_cast<int>(f.Int("attempt"));
  m.worker = f.Str("worker", true);
  m.token = f.Str("token", true);
  BATON_RETURN_IF_ERROR(f.status());
  return m;
}

std::string Encode(const Done& m) {
  json j = {{"job", m.job},
            {"attempt", m.attempt},
            {"worker", m.worker},
            {"token", m.token},
            {"stdout_tail", m.stdout_tail},
            {"stderr_tail", m.stderr_tail},
            {"stdout_bytes", m.stdout_bytes},
            {"stderr_bytes", m.stderr_bytes}};
  if (m.refused) j["refused"] = ToString(*m.refused);
  if (!m.error.empty()) j["error"] = m.error;
  if (m.exit_code) j["exit_code"] = *m.exit_code;
  if (m.signal) j["signal"] = *m.signal;
  if (m.stopped_for) j["stopped_for"] = ToString(*m.stopped_for);
  if (!m.output_error.empty()) j["output_error"] = m.output_error;
  return Dump(j);
}

Result<Done> DecodeDone(std::string_view body) {
  Fields f("done", body);
  Done m;
  m.job = f.Int("job");
  m.attempt = static_cast<int>(f.Int("attempt"));
  m.worker = f.Str("worker", true);
  m.token = f.Str("token", true);
  m.refused = f.Outcome("refused");
  m.error = f.Str("error");
  m.exit_code = f.OptInt("exit_code");
  m.signal = f.OptInt("signal");
  m.stopped_for = f.Outcome("stopped_for");
  m.stdout_tail = f.Str("stdout_tail");
  m.stderr_tail = f.Str("stderr_tail");
  m.output_error = f.Str("output_error");
  m.stdout_bytes = static_cast<uint64_t>(f.Int("stdout_bytes", false));
  m.stderr_bytes = static_cast<uint64_t>(f.Int("stderr_bytes", false));
  BATON_RETURN_IF_ERROR(f.status());
  return m;
}

std::string Encode(const Reply& m) {
  json j = {{"ok", m.ok}};
  if (m.pending) j["pending"] = true;
  if (m.cancel) j["cancel"] = true;
  if (!m.error.empty()) j["error"] = m.error;
  return Dump(j);
}

Result<Reply> DecodeReply(std::string_view body) {
  Fields f("reply", body);
  Reply m;
  m.ok = f.Bool("ok");
  m.pending = f.Bool("pending");
  m.cancel = f.Bool("cancel");
  m.error = f.Str("error");
  BATON_RETURN_IF_ERROR(f.status());
  return m;
}

std::string Encode(const WorkerBeat& m) {
  json running = json::array();
  for (const auto& [job, attempt] : m.running) running.push_back({{"job", job}, {"attempt", attempt}});
  return Dump({{"name", m.name}, {"host", m.host}, {"pid", m.pid}, {"queues", m.queues},
               {"slots", m.slots}, {"running", running}, {"version", m.version}});
}

Result<WorkerBeat> DecodeWorkerBeat(std::string_view body) {
  Fields f("worker beat", body);
  WorkerBeat m;
  m.name = f.Str("name", true);
  m.host = f.Str("host");
  m.pid = static_cast<int>(f.Int("pid", false));
  m.queues = f.Strings("queues", true);
  m.slots = static_cast<int>(f.Int("slots", false));
  m.version = f.Str("version");
  if (f.has("running")) {
    if (!f.raw()["running"].is_array()) f.Fail("running", "must be an array");
    else
      for (const json& r : f.raw()["running"]) {
        if (!r.is_object() || !r.contains("job") || !r["job"].is_number_integer() ||
            !r.contains("attempt") || !r["attempt"].is_number_integer()) {
          f.Fail("running", "must hold {job, attempt} objects");
          break;
        }
        m.running.emplace_back(r["job"].get<JobId>(), r["attempt"].get<int>());
      }
  }
  BATON_RETURN_IF_ERROR(f.status());
  if (m.name.empty()) return Status::InvalidArgument("worker beat: name is empty");
  return m;
}

}  // namespace baton::remote
