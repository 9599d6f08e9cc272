#include "server/guard/policy_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/json_parse.h"

namespace baton {

namespace fs = std::filesystem;

Result<std::string> ReadTextFile(const std::string& path) {
  std::stringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  ss << in.rdbuf();
  return ss.str();
}

Result<nlohmann::json> ReadJsonFile(const std::string& path) {
  BATON_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  auto j = ParseJson(text);
  if (!j.ok()) return Status::InvalidArgument(path + ": " + j.status().message());
  return j;
}

Result<std::vector<policy::PolicySource>> LoadPolicySources(const std::string& path) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& e : fs::directory_iterator(path, ec)) {
      if (e.is_regular_file() && e.path().extension() == ".rego") files.push_back(e.path());
    }
    if (ec) return Status::Unavailable("listing " + path + ": " + ec.message());
    std::sort(files.begin(), files.end());
    if (files.empty()) return Status::NotFound("no .rego files in " + path);
  } else {
    files.push_back(path);
  }
  std::vector<policy::PolicySource> sources;
  for (const auto& f : files) {
    BATON_ASSIGN_OR_RETURN(std::string text, ReadTextFile(f.string()));
    sources.push_back({f.string(), std::move(text)});
  }
  return sources;
}

Result<std::shared_ptr<const policy::CompiledPolicy>> LoadPolicy(const std::string& path) {
  BATON_ASSIGN_OR_RETURN(auto sources, LoadPolicySources(path));
  return policy::CompilePolicy(sources);
}

}  // namespace baton
