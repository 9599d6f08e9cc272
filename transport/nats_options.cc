#include "transport/nats_options.h"

namespace baton::transport {

std::string StreamName(const NatsOptions& options) {
  if (!options.stream.empty()) return options.stream;
  if (options.instance == "default") return kDefaultStreamName;
  return std::string(kDefaultStreamName) + "_" + SubjectToken(options.instance);
}

std::vector<std::string> StreamSubjects(const NatsOptions& options) {
  if (!options.subjects.empty()) return options.subjects;
  return {"baton." + SubjectToken(options.instance) + ".job.>"};
}

std::string SubjectToken(std::string_view raw) {
  if (raw.empty()) return "_";
  std::string out(raw);
  for (char& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return out;
}

}  // namespace baton::transport
