#include "server/events/notify_actions.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

#include "base/child_process.h"
#include "base/clock.h"
#include "base/json_parse.h"
#include "server/events/notify_template.h"

extern char** environ;

namespace baton {
namespace {

using nlohmann::json;

std::string Errno(const char* what) { return std::string(what) + ": " + strerror(errno); }

// The event JSON as the command's stdin: an in-memory file, so that a command which does not
// read its stdin never blocks the notifier.
Result<int> StdinFile(const std::string& body) {
  int fd = memfd_create("baton-notify-event", MFD_CLOEXEC);
  if (fd < 0) return Status::Internal(Errno("notify: memfd_create"));
  for (size_t off = 0; off < body.size();) {
    ssize_t n = write(fd, body.data() + off, body.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status st = Status::Internal(Errno("notify: writing the event for stdin"));
      close(fd);
      return st;
    }
    off += static_cast<size_t>(n);
  }
  if (lseek(fd, 0, SEEK_SET) != 0) {
    Status st = Status::Internal(Errno("notify: lseek"));
    close(fd);
    return st;
  }
  return fd;
}

// The notifier's environment with `extra` ("KEY=value") added, replacing variables of that name.
std::vector<std::string> ChildEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    bool replaced = false;
    for (const std::string& x : extra)
      if (kv.substr(0, kv.find('=') + 1) == x.substr(0, x.find('=') + 1)) replaced = true;
    if (!replaced) env.emplace_back(kv);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::string WorkingDirectory() {
  char buf[PATH_MAX];
  return getcwd(buf, sizeof buf) != nullptr ? buf : "/";
}

}  // namespace

Status RunCommandAction(const CommandAction& a, const json& payload, const std::string& subject) {
  SpawnRequest req;
  for (const std::string& arg : a.argv) req.argv.push_back(ExpandTemplate(arg, payload, subject));
  if (req.argv.empty()) return Status::InvalidArgument("notify: empty command");
  req.env = ChildEnvironment({
      "BATON_EVENT_SUBJECT=" + subject,
      "BATON_EVENT_TYPE=" + payload.value("type", std::string()),
      "BATON_EVENT_ID=" + std::to_string(payload.value("id", int64_t{0})),
      "BATON_JOB_ID=" + std::to_string(payload.value("job_id", int64_t{0}))});
  req.cwd = WorkingDirectory();
  req.inherit_output = true;  // the command's output goes where the notifier's goes
  BATON_ASSIGN_OR_RETURN(req.stdin_fd, StdinFile(payload.dump() + "\n"));
  Result<SpawnedProcess> child = SpawnProcess(req);
  close(req.stdin_fd);
  if (!child.ok()) return Status(child.status().code(), "notify: " + child.status().message());
  const pid_t pid = child->pid;
  const std::string& name = req.argv[0];
  const int64_t deadline = MonotonicMs() + a.timeout_ms;
  int st = 0;
  while (true) {
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) {
      Status err = Status::Internal(Errno(("notify: waiting for " + name).c_str()));
      SignalGroup(pid, SIGKILL);
      return err;
    }
    if (MonotonicMs() > deadline) {
      SignalGroup(pid, SIGKILL);  // the whole group: what it started dies with it
      while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
      }
      return Status::DeadlineExceeded("notify: command " + name + " timed out");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return Status::OK();
  return Status::Unavailable("notify: command " + name + " failed (" +
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
    req.body = ExpandJsonTemplate(ParseJsonOrDiscarded(*a.body_json), payload, subject).dump();
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

}  // namespace baton
