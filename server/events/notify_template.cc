#include "server/events/notify_template.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <sstream>

namespace baton {
namespace {

using nlohmann::json;

std::string Join(const json& arr) {
  std::string out;
  for (const json& v : arr) {
    if (!out.empty()) out += ' ';
    out += v.is_string() ? v.get<std::string>() : v.dump();
  }
  return out;
}

}  // namespace

std::string ExpandTemplate(const std::string& text, const json& payload,
                           const std::string& subject) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("{{", i);
    size_t close = open == std::string::npos ? open : text.find("}}", open + 2);
    if (close == std::string::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, open - i);
    std::string key = text.substr(open + 2, close - open - 2);
    key.erase(0, key.find_first_not_of(' '));
    key.erase(key.find_last_not_of(' ') + 1);
    if (key == "subject") {
      out += subject;
    } else if (key.rfind("env.", 0) == 0) {  // from the notifier's environment (secrets)
      const char* v = std::getenv(key.c_str() + 4);
      out += v ? v : "";
    } else if (key == "json") {
      out += payload.dump();
    } else {
      const json* v = &payload;
      std::stringstream path(key);
      std::string part;
      while (v && std::getline(path, part, '.'))
        v = v->is_object() && v->contains(part) ? &(*v)[part] : nullptr;
      if (v && v->is_string()) out += v->get<std::string>();
      else if (v && v->is_array()) out += Join(*v);
      else if (v && !v->is_null()) out += v->dump();
    }
    i = close + 2;
  }
  return out;
}

json ExpandJsonTemplate(const json& tmpl, const json& payload, const std::string& subject) {
  if (tmpl.is_string()) return ExpandTemplate(tmpl.get<std::string>(), payload, subject);
  if (!tmpl.is_structured()) return tmpl;
  json out = tmpl;
  for (auto& [k, v] : out.items()) v = ExpandJsonTemplate(v, payload, subject);
  return out;
}

}  // namespace baton
