// server/jobs/job_templates.h
//
// Job templates: named, operator-defined jobs with parameters, from the config file
// (server/config_file.h, docs/jobs.md "Templates"). An agent enqueues {"template": "test",
// "params": {"target": "unit"}} instead of a command; the template supplies the command and any
// other job fields, and each `{{params.NAME}}` placeholder is replaced inside the one string it
// stands in (an argv element, an env value, cwd, stdin), so a parameter value can never add argv
// elements or reach a shell. Values are checked against the declared type and pattern, and may
// not contain `{{`/`}}` (the runner expands {{prev.*}} placeholders later).
// Immutable after FromJson; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace baton {

struct TemplateParam {
  std::string name;
  std::string type = "string";  // string | integer | number | boolean
  std::string description;
  bool required = true;          // false when a default is given
  std::optional<nlohmann::json> default_value;
  std::string pattern;           // RE2, must match the whole value (strings only)
};

struct JobTemplate {
  std::string name;
  std::string description;
  nlohmann::json spec;  // job-spec fields (command, cwd, env, stdin, queue, ...) with placeholders
  std::vector<TemplateParam> params;  // required ones first, then by name
};

// A template request expanded into a job spec.
struct ExpandedTemplate {
  std::string name;
  nlohmann::json params;  // the values used, defaults included
  nlohmann::json spec;    // a job spec for ParseJobSpec (labelled baton.template=<name>)
};

class TemplateCatalog {
 public:
  // `templates` is the config file's "templates" object (name -> definition). InvalidArgument
  // names the offending "templates.NAME.field".
  static Result<TemplateCatalog> FromJson(const nlohmann::json& templates);

  bool empty() const { return templates_.empty(); }
  const std::map<std::string, JobTemplate>& templates() const { return templates_; }

  // True when a job spec asks for a template (has a "template" field).
  static bool IsTemplateRequest(const nlohmann::json& request);
  // Expands {"template": NAME, "params": {...}, other job fields}. InvalidArgument (prefixed with
  // `where`, e.g. "steps[1].") for an unknown template, a missing, unknown or badly typed
  // parameter, a value that fails the pattern, or a field the template fixes (command, cwd, env,
  // stdin are always the template's).
  Result<ExpandedTemplate> Expand(const nlohmann::json& request, const std::string& where = "") const;
  // A compact listing for agents: `name(param: type[, optional]) — description`, one per line.
  std::string Summary() const;

 private:
  std::map<std::string, JobTemplate> templates_;
};

}  // namespace baton
