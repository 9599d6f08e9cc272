#include "storage/job_spec.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "base/did_you_mean.h"
#include "base/rfc3339.h"
#include "storage/job_options.h"
#include "storage/json_number.h"

namespace baton {

using nlohmann::json;

namespace {

const std::vector<std::string> kFields = {
    "command", "cwd",   "env",          "stdin",           "queue",
    "priority", "delay_seconds", "run_at", "timeout_seconds", "inactivity_timeout_seconds",
    "retry",   "verify", "idempotency_key", "depends_on", "labels", "name", "on_failure",
    "isolation", "base_ref"};

Status Bad(const std::string& where, const std::string& field, const std::string& what) {
  return Status::InvalidArgument("`" + where + field + "` " + what);
}

bool ValidName(const std::string& s, size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

bool ValidEnvName(const std::string& s) {
  if (s.empty() || s.size() > 256 || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

Result<double> Seconds(const json& v, const std::string& where, const std::string& field,
                       double max) {
  if (!v.is_number()) return Bad(where, field, "must be a number of seconds, e.g. 30");
  std::optional<double> d = JsonNumber(v, 0, max);
  if (!d)
    return Bad(where, field,
               "must be a number of seconds from 0 to " + std::to_string(static_cast<long>(max)) +
                   ", got " + v.dump());
  return *d;
}

Result<std::map<std::string, std::string>> StringMap(const json& v, const std::string& where,
                                                     const std::string& field, bool env_names) {
  if (!v.is_object())
    return Bad(where, field, "must be an object of string values, e.g. {\"KEY\": \"value\"}");
  std::map<std::string, std::string> out;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!it.value().is_string())
      return Bad(where, field + "." + it.key(), "must be a string (quote numbers)");
    if (env_names && !ValidEnvName(it.key()))
      return Bad(where, field,
                 "has an invalid variable name \"" + it.key() + "\" (use [A-Za-z_][A-Za-z0-9_]*)");
    if (!env_names && (it.key().empty() || it.key().size() > 128))
      return Bad(where, field, "keys must be 1 to 128 characters");
    std::string value = it.value().get<std::string>();
    if (HasNul(value)) return Bad(where, field + "." + it.key(), "must not contain NUL bytes");
    out[it.key()] = std::move(value);
  }
  return out;
}

// An argv array (`command`, `verify.command`): non-empty, strings only, no NUL, argv[0] named.
Result<std::vector<std::string>> ParseArgv(const json& cmd, const std::string& where,
                                           const std::string& field) {
  if (cmd.is_string())
    return Bad(where, field,
               "must be an argv array, not a string (no shell is used): write [\"make\", "
               "\"test\"] instead of \"make test\"");
  if (!cmd.is_array() || cmd.empty())
    return Bad(where, field, "must be a non-empty array of strings, e.g. [\"make\", \"test\"]");
  if (cmd.size() > static_cast<size_t>(kMaxCommandArgs))
    return Bad(where, field, "has too many arguments (max " + std::to_string(kMaxCommandArgs) + ")");
  std::vector<std::string> argv;
  for (size_t i = 0; i < cmd.size(); ++i) {
    std::string at = field + "[" + std::to_string(i) + "]";
    if (!cmd[i].is_string()) return Bad(where, at, "must be a string (quote numbers: \"3\" not 3)");
    std::string arg = cmd[i].get<std::string>();
    if (HasNul(arg)) return Bad(where, at, "must not contain NUL");
    argv.push_back(std::move(arg));
  }
  if (argv[0].empty()) return Bad(where, field + "[0]", "must name a program");
  return argv;
}

Result<VerifySpec> ParseVerify(const json& v, const std::string& where) {
  if (!v.is_object())
    return Bad(where, "verify",
               "must be an object, e.g. {\"command\": [\"make\", \"test\"], "
               "\"timeout_seconds\": 300}");
  static const std::vector<std::string> kVerifyFields = {"command", "timeout_seconds"};
  for (auto it = v.begin(); it != v.end(); ++it)
    if (std::find(kVerifyFields.begin(), kVerifyFields.end(), it.key()) == kVerifyFields.end())
      return Bad(where, "verify." + it.key(),
                 "is not a verify option" + DidYouMean(it.key(), kVerifyFields) +
                     "; use command and timeout_seconds");
  if (!v.contains("command"))
    return Bad(where, "verify.command",
               "is required: the argv of the check to run after the command exits 0, e.g. "
               "[\"make\", \"test\"]");
  VerifySpec verify;
  BATON_ASSIGN_OR_RETURN(verify.command, ParseArgv(v["command"], where, "verify.command"));
  if (v.contains("timeout_seconds")) {
    const json& t = v["timeout_seconds"];
    std::optional<double> d = t.is_number() ? JsonNumber(t, 0, kMaxTimeoutSeconds) : std::nullopt;
    if (!d || *d <= 0)
      return Bad(where, "verify.timeout_seconds",
                 "must be a number of seconds greater than 0 and at most " +
                     std::to_string(static_cast<long>(kMaxTimeoutSeconds)) + ", got " + t.dump());
    verify.timeout_s = *d;
  }
  return verify;
}

Result<RetryPolicy> ParseRetry(const json& v, const std::string& where) {
  RetryPolicy r;
  if (!v.is_object())
    return Bad(where, "retry",
               "must be an object, e.g. {\"max_attempts\": 3, \"initial_delay\": 1, "
               "\"multiplier\": 2, \"max_delay\": 60, \"jitter\": \"full\", "
               "\"retry_on\": [\"nonzero\", \"timeout\", \"lost\"]}");
  static const std::vector<std::string> kRetryFields = {
      "max_attempts", "initial_delay", "multiplier", "max_delay", "jitter", "retry_on"};
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (std::find(kRetryFields.begin(), kRetryFields.end(), it.key()) == kRetryFields.end())
      return Bad(where, "retry." + it.key(),
                 "is not a retry option" + DidYouMean(it.key(), kRetryFields) +
                     "; use max_attempts, initial_delay, multiplier, max_delay, jitter, retry_on");
  }
  if (v.contains("max_attempts")) {
    std::optional<int64_t> m = JsonInteger(v["max_attempts"], 1, kMaxAttemptsLimit);
    if (!m)
      return Bad(where, "retry.max_attempts",
                 "must be an integer from 1 to " + std::to_string(kMaxAttemptsLimit) + ", got " +
                     v["max_attempts"].dump());
    r.max_attempts = static_cast<int>(*m);
  }
  if (v.contains("initial_delay")) {
    BATON_ASSIGN_OR_RETURN(r.initial_delay_s,
                           Seconds(v["initial_delay"], where, "retry.initial_delay",
                                   kMaxRetryDelaySeconds));
  }
  if (v.contains("max_delay")) {
    BATON_ASSIGN_OR_RETURN(r.max_delay_s, Seconds(v["max_delay"], where, "retry.max_delay",
                                                   kMaxRetryDelaySeconds));
  }
  if (v.contains("multiplier")) {
    std::optional<double> m = JsonNumber(v["multiplier"], 1, kMaxRetryMultiplier);
    if (!m)
      return Bad(where, "retry.multiplier",
                 "must be a number from 1 to " + std::to_string(static_cast<int>(kMaxRetryMultiplier)) +
                     ", got " + v["multiplier"].dump());
    r.multiplier = *m;
  }
  if (v.contains("jitter")) {
    const json& jt = v["jitter"];
    std::string s = jt.is_string() ? jt.get<std::string>() : "";
    if (s == "full") r.jitter = Jitter::kFull;
    else if (s == "equal") r.jitter = Jitter::kEqual;
    else if (s == "none") r.jitter = Jitter::kNone;
    else return Bad(where, "retry.jitter", "must be \"full\", \"equal\" or \"none\"");
  }
  if (v.contains("retry_on")) {
    const json& on = v["retry_on"];
    if (!on.is_array())
      return Bad(where, "retry.retry_on",
                 "must be an array of \"nonzero\", \"timeout\", \"lost\", \"signal\", "
                 "\"verify_failed\" or exit codes");
    r.on_nonzero = r.on_timeout = r.on_lost = r.on_signal = r.on_verify_failed = false;
    for (const json& e : on) {
      if (e.is_number()) {
        std::optional<int64_t> code = JsonInteger(e, 1, 255);
        if (!code)
          return Bad(where, "retry.retry_on",
                     "exit codes must be integers from 1 to 255, got " + e.dump());
        r.exit_codes.push_back(static_cast<int>(*code));
      } else if (e == "nonzero") {  // a verifier's non-zero exit is one too
        r.on_nonzero = r.on_verify_failed = true;
      } else if (e == "verify_failed") {
        r.on_verify_failed = true;
      } else if (e == "timeout") {
        r.on_timeout = true;
      } else if (e == "lost") {
        r.on_lost = true;
      } else if (e == "signal") {
        r.on_signal = true;
      } else {
        return Bad(where, "retry.retry_on",
                   "entries must be \"nonzero\", \"timeout\", \"lost\", \"signal\", "
                   "\"verify_failed\" or an exit code; got " + e.dump());
      }
    }
    std::sort(r.exit_codes.begin(), r.exit_codes.end());
    r.exit_codes.erase(std::unique(r.exit_codes.begin(), r.exit_codes.end()), r.exit_codes.end());
  }
  if (r.max_delay_s < r.initial_delay_s) r.max_delay_s = r.initial_delay_s;
  return r;
}

Result<std::vector<Dependency>> ParseDeps(const json& v, const std::string& where) {
  if (!v.is_array())
    return Bad(where, "depends_on",
               "must be an array of job ids or {\"job\": ID, \"condition\": "
               "\"success|failure|always\"}");
  // Checked first: the duplicate check below is quadratic.
  if (v.size() > static_cast<size_t>(kMaxDependsOn))
    return Bad(where, "depends_on",
               "may list at most " + std::to_string(kMaxDependsOn) + " jobs, got " +
                   std::to_string(v.size()) + " (chain through an intermediate job to wait for more)");
  std::vector<Dependency> deps;
  for (size_t i = 0; i < v.size(); ++i) {
    const json& e = v[i];
    std::string field = "depends_on[" + std::to_string(i) + "]";
    Dependency d;
    const json* id = &e;
    if (e.is_object()) {
      for (auto it = e.begin(); it != e.end(); ++it)
        if (it.key() != "job" && it.key() != "condition")
          return Bad(where, field + "." + it.key(), "is unknown; use \"job\" and \"condition\"");
      if (!e.contains("job")) return Bad(where, field, "needs \"job\": the id to wait for");
      id = &e["job"];
      if (e.contains("condition")) {
        const json& c = e["condition"];
        if (c == "success") d.condition = DepCondition::kSuccess;
        else if (c == "failure") d.condition = DepCondition::kFailure;
        else if (c == "always") d.condition = DepCondition::kAlways;
        else return Bad(where, field + ".condition", "must be \"success\", \"failure\" or \"always\"");
      }
    }
    std::optional<int64_t> job_id = JsonInteger(*id, 1, std::numeric_limits<int64_t>::max());
    if (!job_id)
      return Bad(where, field,
                 "must be a positive job id (an integer returned by enqueue), got " + id->dump());
    d.job_id = *job_id;
    for (const auto& prev : deps)
      if (prev.job_id == d.job_id) return Bad(where, field, "repeats job " + std::to_string(d.job_id));
    deps.push_back(d);
  }
  return deps;
}

}  // namespace

const std::vector<std::string>& JobSpecFieldNames() { return kFields; }

Result<JobSpec> ParseJobSpec(const json& j, const SpecContext& ctx, const std::string& where) {
  if (!j.is_object())
    return Status::InvalidArgument("a job spec" + (where.empty() ? "" : " (" + where + ")") +
                                   " must be an object with at least \"command\": [\"prog\", "
                                   "\"arg\"]");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::find(kFields.begin(), kFields.end(), it.key()) == kFields.end()) {
      std::string list;
      for (const auto& f : kFields) list += (list.empty() ? "" : ", ") + f;
      return Bad(where, it.key(),
                 "is not a job option" + DidYouMean(it.key(), kFields) + "; the options are: " +
                     list);
    }
  }
  JobSpec spec;
  // command
  if (!j.contains("command"))
    return Bad(where, "command", "is required: an argv array such as [\"make\", \"test\"]");
  BATON_ASSIGN_OR_RETURN(spec.command, ParseArgv(j["command"], where, "command"));
  // cwd
  std::filesystem::path base(ctx.base_cwd.empty() ? std::string("/") : ctx.base_cwd);
  if (j.contains("cwd")) {
    if (!j["cwd"].is_string() || j["cwd"].get<std::string>().empty())
      return Bad(where, "cwd", "must be a directory path string");
    std::filesystem::path p = j["cwd"].get<std::string>();
    spec.cwd = (p.is_absolute() ? p : base / p).lexically_normal().string();
  } else {
    spec.cwd = base.lexically_normal().string();
  }
  if (spec.cwd.size() > 1 && spec.cwd.back() == '/') spec.cwd.pop_back();
  struct stat st;
  if (ctx.verify_cwd && (stat(spec.cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)))
    return Bad(where, "cwd", "\"" + spec.cwd + "\" is not an existing directory");
  if (j.contains("env")) {
    BATON_ASSIGN_OR_RETURN(spec.env, StringMap(j["env"], where, "env", true));
  }
  if (j.contains("stdin")) {
    if (!j["stdin"].is_string()) return Bad(where, "stdin", "must be a string");
    const std::string& in = j["stdin"].get_ref<const std::string&>();
    if (!ctx.stored && in.size() > static_cast<size_t>(kMaxStdinBytes))
      return Bad(where, "stdin",
                 "is " + std::to_string(in.size()) + " bytes; the limit is " +
                     std::to_string(kMaxStdinBytes) +
                     " (1 MiB): write larger input to a file and pass its path in `command`");
    spec.stdin_data = in;
  }
  if (j.contains("queue")) {
    if (!j["queue"].is_string() || !ValidName(j["queue"].get<std::string>(), 64))
      return Bad(where, "queue", "must be 1-64 characters of letters, digits, '_', '-', '.'");
    spec.queue = j["queue"].get<std::string>();
  }
  if (j.contains("priority")) {
    std::optional<int64_t> p = JsonInteger(j["priority"], kMinPriority, kMaxPriority);
    if (!p)
      return Bad(where, "priority",
                 "must be an integer from " + std::to_string(kMinPriority) + " to " +
                     std::to_string(kMaxPriority) + " (higher runs first), got " +
                     j["priority"].dump());
    spec.priority = static_cast<int>(*p);
  }
  if (j.contains("delay_seconds") && j.contains("run_at"))
    return Bad(where, "delay_seconds", "and `run_at` exclude each other; give one");
  if (j.contains("delay_seconds")) {
    BATON_ASSIGN_OR_RETURN(double d, Seconds(j["delay_seconds"], where, "delay_seconds",
                                             kMaxDelaySeconds));
    spec.run_at_ms = ctx.now_ms + static_cast<int64_t>(std::llround(d * 1000));
  }
  if (j.contains("run_at")) {
    const json& r = j["run_at"];
    if (!r.is_string())
      return Bad(where, "run_at", "must be an RFC 3339 time string such as \"2026-11-24T10:30:00Z\"");
    Result<int64_t> ns = ParseRfc3339(r.get_ref<const std::string&>());
    if (!ns.ok())
      return Bad(where, "run_at",
                 "\"" + r.get<std::string>().substr(0, 64) + "\" " + ns.status().message() +
                     "; give a time up to 2262-04-11T23:47:16Z (a past time runs at "
                     "once; or use delay_seconds)");
    spec.run_at_ms = *ns / 1000000;
  }
  if (j.contains("timeout_seconds")) {
    BATON_ASSIGN_OR_RETURN(spec.timeout_s,
                           Seconds(j["timeout_seconds"], where, "timeout_seconds", kMaxTimeoutSeconds));
  }
  if (j.contains("inactivity_timeout_seconds")) {
    BATON_ASSIGN_OR_RETURN(spec.inactivity_timeout_s,
                           Seconds(j["inactivity_timeout_seconds"], where,
                                   "inactivity_timeout_seconds", kMaxTimeoutSeconds));
  }
  if (j.contains("retry")) {
    BATON_ASSIGN_OR_RETURN(spec.retry, ParseRetry(j["retry"], where));
  }
  if (j.contains("verify")) {
    BATON_ASSIGN_OR_RETURN(spec.verify, ParseVerify(j["verify"], where));
  }
  if (j.contains("idempotency_key")) {
    const json& k = j["idempotency_key"];
    if (!k.is_string() || k.get<std::string>().empty() || k.get<std::string>().size() > 256)
      return Bad(where, "idempotency_key", "must be a string of 1 to 256 characters");
    spec.idempotency_key = k.get<std::string>();
  }
  if (j.contains("depends_on")) {
    BATON_ASSIGN_OR_RETURN(spec.depends_on, ParseDeps(j["depends_on"], where));
  }
  if (j.contains("labels")) {
    BATON_ASSIGN_OR_RETURN(spec.labels, StringMap(j["labels"], where, "labels", false));
    if (spec.labels.size() > 64) return Bad(where, "labels", "may have at most 64 entries");
  }
  if (j.contains("name")) {
    if (!j["name"].is_string() || !ValidName(j["name"].get<std::string>(), 64))
      return Bad(where, "name", "must be 1-64 characters of letters, digits, '_', '-', '.'");
    spec.name = j["name"].get<std::string>();
  }
  if (j.contains("isolation")) {
    const json& i = j["isolation"];
    if (!i.is_string() || (i != "worktree" && i != "none"))
      return Bad(where, "isolation",
                 "must be \"worktree\" (run in a git worktree of its own) or \"none\"");
    if (i == "worktree") spec.isolation = "worktree";
  }
  if (j.contains("base_ref")) {
    const json& b = j["base_ref"];
    if (!b.is_string() || b.get<std::string>().empty() || b.get<std::string>().size() > 256 ||
        b.get<std::string>()[0] == '-')
      return Bad(where, "base_ref", "must be a git revision (branch, tag or commit) of 1-256 characters, not starting with '-'");
    if (spec.isolation.empty())
      return Bad(where, "base_ref", "is the commit an isolated job starts from: give it with isolation \"worktree\"");
    spec.base_ref = b.get<std::string>();
  }
  if (j.contains("on_failure")) {
    const json& c = j["on_failure"];
    if (!c.is_object())
      return Bad(where, "on_failure",
                 "must be a job spec (the compensation), e.g. {\"command\": [\"./undo.sh\"]}");
    if (c.contains("on_failure") || c.contains("depends_on"))
      return Bad(where, "on_failure",
                 "is a plain job spec: it may not have its own on_failure or depends_on");
    BATON_ASSIGN_OR_RETURN(JobSpec comp, ParseJobSpec(c, ctx, where + "on_failure."));
    spec.on_failure.push_back(std::move(comp));
  }
  return spec;
}

json JobSpecToJson(const JobSpec& s) {
  json j;
  j["command"] = s.command;
  j["cwd"] = s.cwd;
  if (!s.env.empty()) j["env"] = s.env;
  if (s.stdin_data) j["stdin"] = *s.stdin_data;
  j["queue"] = s.queue;
  if (s.priority != 0) j["priority"] = s.priority;
  if (s.run_at_ms) j["run_at"] = FormatRfc3339Ms(*s.run_at_ms);
  if (s.timeout_s > 0) j["timeout_seconds"] = s.timeout_s;
  if (s.inactivity_timeout_s > 0) j["inactivity_timeout_seconds"] = s.inactivity_timeout_s;
  if (!s.isolation.empty()) j["isolation"] = s.isolation;
  if (!s.base_ref.empty()) j["base_ref"] = s.base_ref;
  const RetryPolicy& r = s.retry;
  if (r.max_attempts != kDefaultMaxAttempts || r.initial_delay_s != kDefaultRetryInitialDelaySeconds ||
      r.multiplier != kDefaultRetryMultiplier || r.max_delay_s != kDefaultRetryMaxDelaySeconds ||
      r.jitter != Jitter::kFull || !r.on_nonzero || !r.on_timeout || !r.on_lost || !r.on_signal ||
      !r.on_verify_failed || !r.exit_codes.empty()) {
    json on = json::array();
    if (r.on_nonzero) on.push_back("nonzero");
    if (r.on_timeout) on.push_back("timeout");
    if (r.on_lost) on.push_back("lost");
    if (r.on_signal) on.push_back("signal");
    if (r.on_verify_failed && !r.on_nonzero) on.push_back("verify_failed");
    for (int c : r.exit_codes) on.push_back(c);
    j["retry"] = {{"max_attempts", r.max_attempts},
                  {"initial_delay", r.initial_delay_s},
                  {"multiplier", r.multiplier},
                  {"max_delay", r.max_delay_s},
                  {"jitter", r.jitter == Jitter::kFull    ? "full"
                             : r.jitter == Jitter::kEqual ? "equal"
                                                          : "none"},
                  {"retry_on", on}};
  }
  if (s.verify)
    j["verify"] = {{"command", s.verify->command}, {"timeout_seconds", s.verify->timeout_s}};
  if (s.idempotency_key) j["idempotency_key"] = *s.idempotency_key;
  if (!s.depends_on.empty()) {
    json deps = json::array();
    for (const auto& d : s.depends_on)
      deps.push_back({{"job", d.job_id}, {"condition", ToString(d.condition)}});
    j["depends_on"] = deps;
  }
  if (!s.labels.empty()) j["labels"] = s.labels;
  if (!s.name.empty()) j["name"] = s.name;
  if (!s.on_failure.empty()) j["on_failure"] = JobSpecToJson(s.on_failure.front());
  return j;
}

}  // namespace baton
