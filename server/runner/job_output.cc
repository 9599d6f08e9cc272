#include "server/runner/job_output.h"

#include <fstream>

#include "server/runner/failure_summary.h"

namespace baton {

namespace {

std::string TrimTrailingNewlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

std::string ReadFileTail(const std::string& path, long max_bytes) {
  if (path.empty()) return "";
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  std::streamoff size = in.tellg();
  std::streamoff start = size > max_bytes ? size - max_bytes : 0;
  in.seekg(start);
  std::string out(static_cast<size_t>(size - start), '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

std::string ReadFileHead(const std::string& path, long max_bytes) {
  if (path.empty()) return "";
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::string out(static_cast<size_t>(max_bytes), '\0');
  in.read(out.data(), max_bytes);
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

JobOutputResolver::JobOutputResolver(JobStore& store, const Job& job) : store_(store), job_(job) {}

Result<const JobOutputResolver::Source*> JobOutputResolver::Load(const std::string& step) {
  auto it = cache_.find(step);
  if (it != cache_.end()) return &it->second;
  JobId id = 0;
  if (step.empty()) {
    if (job_.spec.depends_on.empty())
      return Status::InvalidArgument("{{prev.*}} is used but job " + std::to_string(job_.id) +
                                     " has no predecessor (no depends_on, not a chain step)");
    id = job_.spec.depends_on.front().job_id;
  } else {
    if (!job_.chain_id)
      return Status::InvalidArgument("{{steps." + step + ".*}} is used outside a chain");
    BATON_ASSIGN_OR_RETURN(auto found, store_.FindChainStep(*job_.chain_id, step));
    if (!found)
      return Status::InvalidArgument("{{steps." + step + ".*}}: the chain has no step named " + step);
    id = *found;
  }
  Source src;
  BATON_ASSIGN_OR_RETURN(src.job, store_.Get(id));
  BATON_ASSIGN_OR_RETURN(auto attempts, store_.Attempts(id));
  if (!attempts.empty()) {
    src.stdout_path = attempts.back().stdout_path;
    src.stderr_path = attempts.back().stderr_path;
  }
  return &cache_.emplace(step, std::move(src)).first->second;
}

Result<std::string> JobOutputResolver::Value(const PlaceholderRef& ref) {
  BATON_ASSIGN_OR_RETURN(const Source* s, Load(ref.step));
  if (ref.field == "stdout") return TrimTrailingNewlines(ReadFileHead(s->stdout_path, kPlaceholderMaxBytes));
  if (ref.field == "stderr") return TrimTrailingNewlines(ReadFileHead(s->stderr_path, kPlaceholderMaxBytes));
  if (ref.field == "exit_code") return s->job.exit_code ? std::to_string(*s->job.exit_code) : std::string();
  if (ref.field == "job_id") return std::to_string(s->job.id);
  if (ref.field == "state") return std::string(ToString(s->job.state));
  return Status::InvalidArgument("unknown placeholder field " + ref.field);
}

Result<std::string> JobOutputResolver::LastError(int attempt) {
  if (attempt <= 1) return std::string();
  BATON_ASSIGN_OR_RETURN(auto attempts, store_.Attempts(job_.id));
  for (const Attempt& a : attempts)
    if (a.number == attempt - 1)
      return SummarizeFailure(a, ReadFileTail(a.stderr_path, kOutputTailBytes));
  return std::string();
}

std::string JobOutputResolver::PrevOutputPath() {
  if (job_.spec.depends_on.empty()) return "";
  auto s = Load("");
  return s.ok() ? (*s)->stdout_path : "";
}

}  // namespace baton
