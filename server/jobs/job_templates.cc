#include "server/jobs/job_templates.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "base/did_you_mean.h"
#include "storage/job_spec.h"

namespace baton {

using nlohmann::json;

namespace {

constexpr size_t kMaxParamBytes = 4096;

// Fields a template may set besides description/params. The rest of a job spec (depends_on,
// run_at, idempotency_key, ...) belongs to each enqueue, never to the template.
const std::vector<std::string> kTemplateFields = {
    "command", "cwd", "env", "stdin", "queue", "priority", "timeout_seconds",
    "inactivity_timeout_seconds", "retry", "labels"};
// What runs is the template's alone: a request may not give these.
const std::vector<std::string> kTemplateOnly = {"command", "cwd", "env", "stdin"};

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool ValidName(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

// Calls `fn(inner)` for each {{...}} in `text` (inner trimmed); `fn` returns the replacement, or
// nullopt to keep the placeholder as it is (e.g. {{prev.stdout}}, expanded by the runner).
template <typename Fn>
Result<std::string> Substitute(const std::string& text, Fn fn) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t open = text.find("{{", pos);
    if (open == std::string::npos) break;
    size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) break;
    std::string inner = text.substr(open + 2, close - open - 2);
    size_t b = inner.find_first_not_of(" \t"), e = inner.find_last_not_of(" \t");
    inner = b == std::string::npos ? "" : inner.substr(b, e - b + 1);
    BATON_ASSIGN_OR_RETURN(std::optional<std::string> rep, fn(inner));
    out += text.substr(pos, open - pos);
    out += rep ? *rep : text.substr(open, close + 2 - open);
    pos = close + 2;
  }
  out += text.substr(pos);
  return out;
}

// Applies `fn` to every string of the spec that may hold placeholders: argv elements, env values,
// cwd and stdin.
template <typename Fn>
Status ForEachText(json& spec, Fn fn) {
  auto apply = [&](json& v) -> Status {
    if (!v.is_string()) return Status::OK();
    BATON_ASSIGN_OR_RETURN(std::string s, fn(v.get<std::string>()));
    v = std::move(s);
    return Status::OK();
  };
  if (spec.contains("command") && spec["command"].is_array())
    for (json& a : spec["command"]) BATON_RETURN_IF_ERROR(apply(a));
  if (spec.contains("env") && spec["env"].is_object())
    for (auto it = spec["env"].begin(); it != spec["env"].end(); ++it)
      BATON_RETURN_IF_ERROR(apply(it.value()));
  for (const char* f : {"cwd", "stdin"})
    if (spec.contains(f)) BATON_RETURN_IF_ERROR(apply(spec[f]));
  return Status::OK();
}

std::string ParamName(const std::string& inner) {
  return inner.rfind("params.", 0) == 0 ? inner.substr(7) : "";
}

bool TypeMatches(const std::string& type, const json& v) {
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_number_integer();
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  return false;
}

std::string AsText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
  }
  return v.dump();  // integers, other numbers, true/false
}

std::string Describe(const TemplateParam& p) {
  std::string s = p.name + ": " + p.type;
  if (p.default_value) s += " = " + p.default_value->dump();
  else if (!p.required) s += ", optional";
  return s;
}

Result<TemplateParam> ParseParam(const std::string& where, const std::string& name,
                                 const json& def) {
  if (!ValidName(name) || name.find('.') != std::string::npos)
    return Status::InvalidArgument("`" + where + "` parameter names are letters, digits, '_', '-'");
  if (!def.is_object())
    return Status::InvalidArgument("`" + where + name +
                                   "` must be an object such as {\"type\": \"string\", "
                                   "\"required\": true}");
  TemplateParam p;
  p.name = name;
  for (auto it = def.begin(); it != def.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    std::string field = "`" + where + name + "." + k + "` ";
    if (k == "type") {
      if (!v.is_string() || !Contains({"string", "integer", "number", "boolean"}, v.get<std::string>()))
        return Status::InvalidArgument(field + "must be \"string\", \"integer\", \"number\" or \"boolean\"");
      p.type = v.get<std::string>();
    } else if (k == "description") {
      if (!v.is_string()) return Status::InvalidArgument(field + "must be a string");
      p.description = v.get<std::string>();
    } else if (k == "required") {
      if (!v.is_boolean()) return Status::InvalidArgument(field + "must be true or false");
    } else if (k == "default") {
      p.default_value = v;
    } else if (k == "pattern") {
      if (!v.is_string()) return Status::InvalidArgument(field + "must be a string (an RE2 regular expression)");
      p.pattern = v.get<std::string>();
      RE2 re(p.pattern, RE2::Quiet);
      if (!re.ok()) return Status::InvalidArgument(field + "is not a valid RE2 expression: " + re.error());
    } else {
      return Status::InvalidArgument(field + "is unknown; a parameter has type, description, "
                                     "required, default, pattern");
    }
  }
  if (!p.pattern.empty() && p.type != "string")
    return Status::InvalidArgument("`" + where + name + ".pattern` applies to string parameters only");
  if (p.default_value && !TypeMatches(p.type, *p.default_value))
    return Status::InvalidArgument("`" + where + name + ".default` must be " +
                                   (p.type == "integer" ? "an " : "a ") + p.type);
  p.required = def.value("required", !p.default_value.has_value());
  if (p.required && p.default_value)
    return Status::InvalidArgument("`" + where + name + "` is required and has a default; drop one");
  return p;
}

}  // namespace

bool TemplateCatalog::IsTemplateRequest(const json& request) {
  return request.is_object() && request.contains("template");
}

Result<TemplateCatalog> TemplateCatalog::FromJson(const json& templates) {
  TemplateCatalog cat;
  if (templates.is_null()) return cat;
  if (!templates.is_object())
    return Status::InvalidArgument("`templates` must be an object: {\"NAME\": {\"command\": [...]}}");
  for (auto it = templates.begin(); it != templates.end(); ++it) {
    const std::string where = "templates." + it.key();
    if (!ValidName(it.key()))
      return Status::InvalidArgument("`" + where + "`: template names are 1-64 letters, digits, '_', '-', '.'");
    const json& def = it.value();
    if (!def.is_object())
      return Status::InvalidArgument("`" + where + "` must be an object with at least `command`");
    JobTemplate t;
    t.name = it.key();
    t.spec = json::object();
    for (auto f = def.begin(); f != def.end(); ++f) {
      if (f.key() == "description") {
        if (!f.value().is_string())
          return Status::InvalidArgument("`" + where + ".description` must be a string");
        t.description = f.value().get<std::string>();
      } else if (f.key() == "params") {
        if (!f.value().is_object())
          return Status::InvalidArgument("`" + where + ".params` must be an object: name -> {type, ...}");
        for (auto p = f.value().begin(); p != f.value().end(); ++p) {
          BATON_ASSIGN_OR_RETURN(TemplateParam param, ParseParam(where + ".params.", p.key(), p.value()));
          t.params.push_back(std::move(param));
        }
      } else if (Contains(kTemplateFields, f.key())) {
        t.spec[f.key()] = f.value();
      } else {
        std::string known = "description, params";
        for (const auto& k : kTemplateFields) known += ", " + k;
        return Status::InvalidArgument("`" + where + "." + f.key() + "` cannot be set by a template; "
                                       "it takes: " + known);
      }
    }
    // JSON objects carry no order: list required parameters first, then by name.
    std::stable_sort(t.params.begin(), t.params.end(),
                     [](const TemplateParam& a, const TemplateParam& b) { return a.required > b.required; });
    if (!t.spec.contains("command"))
      return Status::InvalidArgument("`" + where + ".command` is required (an argv array)");
    // Every {{params.X}} names a declared parameter.
    json probe = t.spec;
    Status placeholders = ForEachText(probe, [&](const std::string& text) {
      return Substitute(text, [&](const std::string& inner) -> Result<std::optional<std::string>> {
        std::string name = ParamName(inner);
        if (name.empty()) return std::optional<std::string>();
        bool declared = std::any_of(t.params.begin(), t.params.end(),
                                    [&](const TemplateParam& p) { return p.name == name; });
        if (!declared)
          return Status::InvalidArgument("`" + where + "` uses {{params." + name +
                                         "}} but declares no parameter `" + name + "`");
        return std::optional<std::string>("x");
      });
    });
    BATON_RETURN_IF_ERROR(placeholders);
    // The fixed parts must already be a valid job spec (bad queue names, retry options, ...).
    SpecContext ctx;
    ctx.verify_cwd = false;
    ctx.base_cwd = "/";
    auto parsed = ParseJobSpec(probe, ctx, where + ".");
    if (!parsed.ok()) return parsed.status();
    cat.templates_.emplace(t.name, std::move(t));
  }
  return cat;
}

Result<ExpandedTemplate> TemplateCatalog::Expand(const json& request, const std::string& where) const {
  auto bad = [&](const std::string& msg) { return Status::InvalidArgument(msg); };
  if (!request.is_object()) return bad("`" + where + "` must be an object");
  const json& name_v = request["template"];
  if (!name_v.is_string()) return bad("`" + where + "template` must be the name of a template");
  std::string name = name_v.get<std::string>();
  auto it = templates_.find(name);
  if (it == templates_.end()) {
    if (templates_.empty())
      return bad("`" + where + "template`: no templates are configured (the operator defines them "
                 "in the config file); give `command` instead");
    std::string names;
    std::vector<std::string> known;
    for (const auto& [n, t] : templates_) {
      names += (names.empty() ? "" : ", ") + n;
      known.push_back(n);
    }
    return bad("`" + where + "template`: there is no template \"" + name +
               "\"; the templates are: " + names + DidYouMean(name, known));
  }
  const JobTemplate& t = it->second;
  std::string signature;
  for (const auto& p : t.params) signature += (signature.empty() ? "" : ", ") + Describe(p);
  if (signature.empty()) signature = "no parameters";
  json given = request.contains("params") ? request["params"] : json::object();
  if (!given.is_object())
    return bad("`" + where + "params` must be an object of parameter values; template \"" + name +
               "\" takes: " + signature);
  json values = json::object();
  for (auto g = given.begin(); g != given.end(); ++g) {
    bool known = std::any_of(t.params.begin(), t.params.end(),
                             [&](const TemplateParam& p) { return p.name == g.key(); });
    if (!known) {
      std::vector<std::string> param_names;
      for (const TemplateParam& p : t.params) param_names.push_back(p.name);
      return bad("`" + where + "params." + g.key() + "` is not a parameter of template \"" + name +
                 "\"; it takes: " + signature + DidYouMean(g.key(), param_names));
    }
  }
  for (const TemplateParam& p : t.params) {
    std::string field = "`" + where + "params." + p.name + "`";
    if (!given.contains(p.name)) {
      if (p.default_value) values[p.name] = *p.default_value;
      else if (p.required)
        return bad(field + " is required by template \"" + name + "\" (" + p.type +
                   (p.description.empty() ? "" : ": " + p.description) + ")");
      continue;
    }
    const json& v = given[p.name];
    if (!TypeMatches(p.type, v))
      return bad(field + " must be " + (p.type == "integer" ? "an " : "a ") + p.type + ", got " + v.dump());
    if (v.is_string()) {
      const std::string& s = v.get_ref<const std::string&>();
      if (s.size() > kMaxParamBytes)
        return bad(field + " is longer than " + std::to_string(kMaxParamBytes) + " bytes");
      if (s.find('\0') != std::string::npos) return bad(field + " contains a NUL byte");
      if (s.find("{{") != std::string::npos || s.find("}}") != std::string::npos)
        return bad(field + " may not contain \"{{\" or \"}}\"");
      if (!p.pattern.empty() && !RE2::FullMatch(s, RE2(p.pattern, RE2::Quiet)))
        return bad(field + " " + v.dump() + " does not match the pattern " + p.pattern +
                   " of template \"" + name + "\"");
    }
    values[p.name] = v;
  }
  json spec = t.spec;
  BATON_RETURN_IF_ERROR(ForEachText(spec, [&](const std::string& text) {
    return Substitute(text, [&](const std::string& inner) -> Result<std::optional<std::string>> {
      std::string pname = ParamName(inner);
      if (pname.empty()) return std::optional<std::string>();
      // An optional parameter without a value stands for the empty string.
      return std::optional<std::string>(values.contains(pname) ? AsText(values[pname]) : "");
    });
  }));
  for (auto f = request.begin(); f != request.end(); ++f) {
    if (f.key() == "template" || f.key() == "params") continue;
    if (Contains(kTemplateOnly, f.key()))
      return bad("`" + where + f.key() + "` cannot be given with `template`: template \"" + name +
                 "\" defines what runs (pass parameters in `params`)");
    if (spec.contains(f.key()))
      return bad("`" + where + f.key() + "` is fixed by template \"" + name + "\"");
    spec[f.key()] = f.value();
  }
  if (!spec.contains("labels") || !spec["labels"].is_object()) spec["labels"] = json::object();
  spec["labels"]["baton.template"] = name;
  return ExpandedTemplate{name, values, std::move(spec)};
}

std::string TemplateCatalog::Summary() const {
  std::string out;
  for (const auto& [name, t] : templates_) {
    std::string sig;
    for (const auto& p : t.params) sig += (sig.empty() ? "" : ", ") + Describe(p);
    out += name + "(" + sig + ")";
    if (!t.description.empty()) out += " — " + t.description;
    out += "\n";
  }
  return out;
}

}  // namespace baton
