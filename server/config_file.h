// server/config_file.h
//
// The operator's configuration file (JSON): `--config FILE`, else
// $XDG_CONFIG_HOME/baton/config.json (else ~/.config/baton/config.json) when it exists. It holds
// the job templates (server/jobs/job_templates.h); see examples/config/config.json. Unknown keys are
// errors, so a typo is not silently ignored.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "server/jobs/job_templates.h"

namespace baton {

struct Config {
  std::string path;  // empty when no file was read
  TemplateCatalog templates;
};

// The default location (whether or not the file exists).
std::string DefaultConfigPath();

// Reads `explicit_path` (which must exist), else the default file when present, else an empty
// configuration. InvalidArgument / NotFound messages name the file and what is wrong in it.
Result<Config> LoadConfig(const std::optional<std::string>& explicit_path);

}  // namespace baton
