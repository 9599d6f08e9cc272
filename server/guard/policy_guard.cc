#include "server/guard/policy_guard.h"

#include <httplib.h>
#include <poll.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <filesystem>

#include "base/json_parse.h"
#include "base/random_id.h"
#include "base/sha256.h"
#include "policy/policy.h"
#include "server/guard/policy_files.h"
#include "storage/job_spec.h"

namespace baton {

using nlohmann::json;

namespace {

// input.stats.enqueues_last_minute counts up to this (docs/policy.md).
constexpr int64_t kEnqueueCountCap = 200;

// The policy used when none is configured: every request is allowed (and still logged).
constexpr const char* kAllowAllPolicy = R"(package baton

import rego.v1

default allow := true
)";

// Replaces the value at a dotted path ("arguments.env") with "<masked>", also inside chain steps.
void Mask(json& doc, const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  std::function<void(json&, size_t)> walk = [&](json& node, size_t i) {
    if (node.is_array()) {
      for (json& e : node) walk(e, i);
      return;
    }
    if (!node.is_object() || !node.contains(parts[i])) return;
    if (i + 1 == parts.size()) {
      node[parts[i]] = "<masked>";
      return;
    }
    walk(node[parts[i]], i + 1);
  };
  walk(doc, 0);
  if (parts.size() >= 2 && parts[0] == "arguments" && doc.contains("arguments") &&
      doc["arguments"].contains("steps")) {
    for (json& step : doc["arguments"]["steps"])
      if (step.is_object() && step.contains(parts[1])) step[parts[1]] = "<masked>";
  }
}

json NormalizeSpec(const json& raw) {
  SpecContext ctx;
  std::error_code ec;
  ctx.base_cwd = std::filesystem::current_path(ec).string();
  ctx.now_ms = 0;
  ctx.verify_cwd = false;
  auto spec = ParseJobSpec(raw, ctx);
  if (!spec.ok()) return raw;  // the tool will reject it; the policy still sees what was sent
  json j = JobSpecToJson(*spec);
  if (raw.is_object() && raw.contains("delay_seconds")) j["delay_seconds"] = raw["delay_seconds"];
  j.erase("run_at");
  if (raw.is_object() && raw.contains("run_at")) j["run_at"] = raw["run_at"];
  return j;
}

// The user this process runs as: the principal of stdio and CLI calls.
const std::string& ProcessUser() {
  static const std::string user = [] {
    if (passwd* pw = getpwuid(getuid()); pw && pw->pw_name) return std::string(pw->pw_name);
    return "uid:" + std::to_string(getuid());
  }();
  return user;
}

constexpr size_t kMaxRememberedSessions = 4096;

std::optional<JobId> IdArg(const json& args, const char* field) {
  if (!args.is_object() || !args.contains(field)) return std::nullopt;
  const json& v = args[field];
  if (v.is_number_integer() && v.get<int64_t>() > 0) return v.get<int64_t>();
  return std::nullopt;
}

}  // namespace

PolicyGuard::PolicyGuard(JobStore& store, DecisionLog& log, const Clock& clock,
                         PolicyOptions options)
    : store_(store), log_(log), clock_(clock), options_(std::move(options)) {}

Result<std::unique_ptr<PolicyGuard>> PolicyGuard::Create(JobStore& store, DecisionLog& log,
                                                         const Clock& clock,
                                                         PolicyOptions options) {
  std::unique_ptr<PolicyGuard> g(new PolicyGuard(store, log, clock, std::move(options)));
  g->data_ = json::object();
  if (!g->options_.data_file.empty()) {
    BATON_ASSIGN_OR_RETURN(g->data_, ReadJsonFile(g->options_.data_file));
  }
  if (g->options_.policy_dir.empty()) {
    BATON_ASSIGN_OR_RETURN(g->policy_, policy::CompilePolicy({{"builtin-allow-all.rego", kAllowAllPolicy}}));
    return g;
  }
  if (Status loaded = g->Reload(); !loaded.ok() && !g->options_.start_denying_when_broken)
    return loaded;
  g->stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  g->inotify_fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (g->inotify_fd_ >= 0 &&
      inotify_add_watch(g->inotify_fd_, g->options_.policy_dir.c_str(),
                        IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE) >= 0) {
    g->watcher_ = std::thread([p = g.get()] { p->Watch(); });
  } else {
    spdlog::warn("policy: cannot watch {} for changes; restart to reload", g->options_.policy_dir);
  }
  return g;
}

PolicyGuard::~PolicyGuard() {
  if (stop_fd_ >= 0) {
    uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof one);
  }
  if (watcher_.joinable()) watcher_.join();
  if (inotify_fd_ >= 0) close(inotify_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
}

Status PolicyGuard::Reload() {
  auto compiled = LoadPolicy(options_.policy_dir);
  if (!compiled.ok()) {
    spdlog::error("POLICY NOT RELOADED: {} — the previous policy stays in force",
                  compiled.status().message());
    return compiled.status();
  }
  std::lock_guard<std::mutex> lock(mu_);
  policy_ = std::move(compiled).value();
  spdlog::info("policy loaded from {}", options_.policy_dir);
  return Status::OK();
}

void PolicyGuard::Watch() {
  char buf[4096];
  while (true) {
    pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[0].revents) return;
    if (fds[1].revents) {
      while (read(inotify_fd_, buf, sizeof buf) > 0) {
      }
      // Editors write in several steps: let the burst settle, then compile once.
      pollfd stop{stop_fd_, POLLIN, 0};
      if (poll(&stop, 1, 150) > 0) return;
      while (read(inotify_fd_, buf, sizeof buf) > 0) {
      }
      (void)Reload();
    }
  }
}

json PolicyGuard::BuildInput(const CallFacts& f, std::string* template_error) {
  json input = {{"method", f.method},
                {"session", f.session.id},
                {"transport", f.session.transport},
                {"protocol_version", f.protocol_version},
                {"now_ns", clock_.NowNs()}};
  const bool local = f.session.transport == "stdio" || f.session.principal.empty();
  input["principal"] = {{"id", f.session.principal.empty() ? "anonymous" : f.session.principal},
                        {"kind", local ? "local" : "token"}};
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (session_transports_.size() >= kMaxRememberedSessions) session_transports_.clear();
    session_transports_[f.session.id] = f.session.transport;
  }
  json args = f.arguments && !f.arguments->is_null() ? *f.arguments : json::object();
  if (!f.tool) {
    input["params"] = args;
  } else {
    const std::string& tool = *f.tool;
    input["tool"] = tool;
    json chain = {{"depth", 0}, {"parent", nullptr}};
    // The policy judges what would run: a template request is judged by its expansion. One
    // that does not expand is left as sent and reported through `template_error`.
    auto expand = [&](json& spec) -> std::optional<ExpandedTemplate> {
      if (!templates_ || !TemplateCatalog::IsTemplateRequest(spec)) return std::nullopt;
      auto expanded = templates_->Expand(spec);
      if (!expanded.ok()) {
        if (template_error) *template_error = expanded.status().message();
        return std::nullopt;
      }
      spec = expanded->spec;
      return std::move(expanded).value();
    };
    if (tool == "enqueue") {
      input["origin"] = "direct";
      if (auto t = expand(args)) {
        input["origin"] = "template";
        input["template"] = {{"name", t->name}, {"params", t->params}};
      }
      args = NormalizeSpec(args);
      if (args.contains("depends_on") && args["depends_on"].is_array() &&
          !args["depends_on"].empty()) {
        // Ids, or {"job": id, ...}; anything else (the tool rejects it) has no parent.
        const json& first = args["depends_on"][0];
        const json& parent = first.is_object() && first.contains("job") ? first["job"] : first;
        if (parent.is_number_integer()) chain["parent"] = parent;
      }
    } else if (tool == "chain" && args.contains("steps") && args["steps"].is_array()) {
      int depth = static_cast<int>(args["steps"].size()) - 1;
      if (auto after = IdArg(args, "after")) {
        chain["parent"] = *after;
        auto parent = store_.Get(*after);
        if (parent.ok()) depth += parent->chain_step + 1;
      }
      chain["depth"] = std::max(depth, 0);
      for (json& step : args["steps"]) {
        (void)expand(step);
        step = NormalizeSpec(step);
      }
    } else if (tool == "schedule" && args.contains("spec") && args["spec"].is_object()) {
      (void)expand(args["spec"]);
    }
    input["arguments"] = args;
    input["chain"] = chain;
    // The job a call acts on, so that policies can compare owners.
    std::optional<JobId> target = IdArg(args, "job_id");
    if (target) {
      auto job = store_.Get(*target);
      if (job.ok()) {
        input["job"] = {{"id", job->id},
                        {"state", ToString(job->state)},
                        {"queue", job->spec.queue},
                        {"principal", job->origin.principal},
                        {"session", job->origin.session},
                        {"command", job->spec.command}};
      }
    }
    // Rate facts for tool calls only (pings and listings need none); capped, see docs/policy.md.
    auto n = log_.CountEnqueues(f.session.principal, clock_.NowMs() - 60000, kEnqueueCountCap);
    input["stats"] = {{"enqueues_last_minute", n.ok() ? *n : 0}};
  }
  return input;
}

GuardVerdict PolicyGuard::AskNative(const json& input) {
  std::shared_ptr<const policy::CompiledPolicy> p;
  {
    std::lock_guard<std::mutex> lock(mu_);
    p = policy_;
  }
  if (!p) return {false, {"no policy is loaded (fail closed)"}};
  policy::Decision d = policy::Decide(*p, input, data_, options_.query_path);
  GuardVerdict v;
  v.allow = d.allow && d.deny.empty();
  v.reasons = d.deny;
  for (const auto& e : d.errors) v.reasons.push_back("policy evaluation failed (deny): " + e);
  if (!v.allow && v.reasons.empty())
    v.reasons.push_back(options_.query_path + ".allow is not true");
  return v;
}

GuardVerdict PolicyGuard::AskOpa(const json& input, std::string* decision_id) {
  // opa_url = scheme://host[:port]/path
  const std::string& url = options_.opa_url;
  size_t scheme_end = url.find("://");
  size_t path_start = scheme_end == std::string::npos ? std::string::npos : url.find('/', scheme_end + 3);
  if (path_start == std::string::npos)
    return {false, {"--opa-url must look like http://127.0.0.1:8181/v1/data/baton"}};
  httplib::Client client(url.substr(0, path_start));
  client.set_connection_timeout(0, options_.opa_timeout_ms * 1000);
  client.set_read_timeout(0, options_.opa_timeout_ms * 1000);
  client.set_write_timeout(0, options_.opa_timeout_ms * 1000);
  auto res = client.Post(url.substr(path_start), json{{"input", input}}.dump(), "application/json");
  if (!res)
    return {false, {"the OPA server did not answer (" + httplib::to_string(res.error()) +
                    "): denied (fail closed)"}};
  if (res->status != 200)
    return {false, {"the OPA server answered HTTP " + std::to_string(res->status) + ": denied"}};
  json body = ParseJsonOrDiscarded(res->body);
  if (body.is_object() && body.contains("decision_id") && body["decision_id"].is_string())
    *decision_id = body["decision_id"].get<std::string>();
  if (!body.is_object() || !body.contains("result"))
    return {false, {"the OPA server returned no result (undefined decision): denied"}};
  const json& r = body["result"];
  GuardVerdict v;
  v.allow = r.is_object() && r.value("allow", json()) == true;
  if (r.is_object() && r.contains("deny") && r["deny"].is_array())
    for (const json& m : r["deny"]) v.reasons.push_back(m.is_string() ? m.get<std::string>() : m.dump());
  if (!v.reasons.empty()) v.allow = false;
  if (!v.allow && v.reasons.empty()) v.reasons.push_back("OPA: allow is not true");
  return v;
}

GuardVerdict PolicyGuard::Evaluate(const json& input, int64_t start_ns, int64_t* eval_us,
                                   std::string* backend, std::string* backend_id) {
  *backend = options_.opa_url.empty() ? "native" : "opa";
  GuardVerdict v = options_.opa_url.empty() ? AskNative(input) : AskOpa(input, backend_id);
  *eval_us = (clock_.NowNs() - start_ns) / 1000;
  return v;
}

GuardVerdict PolicyGuard::Check(const CallFacts& facts) {
  int64_t start = clock_.NowNs();
  std::string template_error;
  json input = BuildInput(facts, &template_error);
  std::string backend, backend_id;
  int64_t eval_us = 0;
  GuardVerdict v;
  if (!template_error.empty()) {
    // A template request that does not expand creates nothing: the enqueue tool refuses it with
    // the precise reason (the same catalog decides), which tells the agent what to fix. Judging
    // the unexpanded request would only answer "command missing".
    backend = "none: invalid template request";
    v.reasons.push_back("not evaluated: " + template_error);
  } else {
    v = Evaluate(input, start, &eval_us, &backend, &backend_id);
  }
  Status logged = LogDecision({facts.session.principal, facts.session.id, facts.method,
                               facts.tool ? *facts.tool : ""},
                              input, v, eval_us, backend, backend_id);
  if (!logged.ok()) return Unrecorded(logged);
  return v;
}

json PolicyGuard::Principal(const std::string& principal, const std::string& session) {
  // The kind follows the session that created the job when this process saw it (chain steps,
  // retries); jobs the runner creates belong to the local user when the name is the user's.
  std::string transport;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = session_transports_.find(session);
    if (it != session_transports_.end()) transport = it->second;
  }
  bool local = principal.empty() || transport == "stdio" ||
               (transport.empty() && principal == ProcessUser());
  return {{"id", principal.empty() ? "anonymous" : principal}, {"kind", local ? "local" : "token"}};
}

json PolicyGuard::BuildJobInput(const JobCheck& c) {
  json spec = c.spec;
  if (spec.is_object()) spec.erase("run_at");  // absolute times of stored specs mean nothing here
  std::string transport = c.transport;
  if (transport.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = session_transports_.find(c.on_behalf_of.session);
    transport = it != session_transports_.end() ? it->second : "cli";
  }
  json input = {{"method", "tools/call"},
                {"tool", "enqueue"},
                {"origin", c.origin},
                {"source", c.source},
                {"arguments", spec},
                {"principal", Principal(c.on_behalf_of.principal, c.on_behalf_of.session)},
                {"session", c.on_behalf_of.session},
                {"transport", transport},
                {"chain", {{"depth", c.chain_depth},
                           {"parent", c.chain_parent ? json(*c.chain_parent) : json()}}},
                {"now_ns", clock_.NowNs()}};
  if (spec.is_object() && spec.contains("labels") && spec["labels"].contains("baton.template"))
    input["template"] = {{"name", spec["labels"]["baton.template"]}};
  if (c.job) {
    input["job"] = {{"id", c.job->id},
                    {"state", ToString(c.job->state)},
                    {"queue", c.job->spec.queue},
                    {"principal", c.job->origin.principal},
                    {"session", c.job->origin.session},
                    {"command", c.job->spec.command}};
  }
  auto n = log_.CountEnqueues(c.on_behalf_of.principal, clock_.NowMs() - 60000, kEnqueueCountCap);
  input["stats"] = {{"enqueues_last_minute", n.ok() ? *n : 0}};
  return input;
}

std::vector<std::string> PolicyGuard::CheckJob(const JobCheck& check) {
  int64_t start = clock_.NowNs();
  json input = BuildJobInput(check);
  std::string backend, backend_id;
  int64_t eval_us = 0;
  GuardVerdict v = Evaluate(input, start, &eval_us, &backend, &backend_id);
  Status logged = LogDecision(
      {check.on_behalf_of.principal, check.on_behalf_of.session, "tools/call", "enqueue"}, input,
      v, eval_us, backend, backend_id);
  if (!logged.ok()) return Unrecorded(logged).reasons;
  if (v.allow) return {};
  if (v.reasons.empty()) v.reasons.push_back("denied");
  return v.reasons;
}

GuardVerdict PolicyGuard::Unrecorded(const Status& why) {
  return {false, {"the policy decision could not be recorded in the decision log (" +
                  why.message() + "): the call is refused, since every decision served is "
                  "logged (fail closed); try again"}};
}

Status PolicyGuard::LogDecision(const DecisionSubject& f, const json& input, const GuardVerdict& v,
                              int64_t eval_us, const std::string& backend,
                              const std::string& backend_id) {
  DecisionRecord r;
  r.id = RandomHexId(12);
  r.ts_ms = clock_.NowMs();
  r.principal = f.principal;
  r.session = f.session;
  r.method = f.method;
  r.tool = f.tool;
  r.allowed = v.allow;
  r.reasons = v.reasons;
  r.eval_us = eval_us;
  std::string full = input.dump();
  r.input_digest = Sha256Hex(full);
  if (options_.mask_paths.empty()) {
    r.input_json = std::move(full);
  } else {
    json masked = input;
    for (const auto& path : options_.mask_paths) Mask(masked, path);
    r.input_json = masked.dump();
  }
  r.backend = backend;
  r.backend_decision_id = backend_id;
  // Record waits out the database's busy timeout (another process holding the write lock).
  Status s = log_.Record(r);
  if (!s.ok()) {
    spdlog::error("decision log: {}: refusing {} {} for {} (fail closed)", s.ToString(), f.method,
                  r.tool, r.principal);
    return s;
  }
  if (!v.allow)
    spdlog::info("policy denied {} {}{} for {}: {}", f.method, r.tool,
                 input.contains("origin") && input["origin"] != "direct"
                     ? " (" + input["origin"].get<std::string>() + ")" : std::string(),
                 r.principal, v.reasons.empty() ? "" : v.reasons.front());
  return Status::OK();
}

}  // namespace baton
