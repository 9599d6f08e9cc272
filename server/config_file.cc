#include "server/config_file.h"

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/json_parse.h"
#include "server/guard/policy_files.h"

namespace baton {

std::string DefaultConfigPath() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
    return std::string(xdg) + "/baton/config.json";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.config/baton/config.json";
}

Result<Config> LoadConfig(const std::optional<std::string>& explicit_path) {
  Config config;
  std::string path = explicit_path.value_or(DefaultConfigPath());
  std::error_code ec;
  if (!explicit_path && !std::filesystem::exists(path, ec)) return config;
  auto text = ReadTextFile(path);
  if (!text.ok()) return Status::NotFound("config file " + path + ": cannot be read");
  auto parsed = ParseJson(*text);
  if (!parsed.ok())
    return Status::InvalidArgument("config file " + path + " is not valid JSON: " +
                                   parsed.status().message());
  nlohmann::json j = std::move(parsed).value();
  if (!j.is_object())
    return Status::InvalidArgument("config file " + path + " must hold a JSON object such as "
                                   "{\"templates\": {...}}");
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "templates")
      return Status::InvalidArgument("config file " + path + ": `" + it.key() +
                                     "` is not a setting; the settings are: templates");
  auto templates = TemplateCatalog::FromJson(j.value("templates", nlohmann::json()));
  if (!templates.ok())
    return Status::InvalidArgument("config file " + path + ": " + templates.status().message());
  config.path = path;
  config.templates = std::move(templates).value();
  return config;
}

}  // namespace baton
