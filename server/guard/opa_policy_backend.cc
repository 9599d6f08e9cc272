#include "server/guard/opa_policy_backend.h"

#include <httplib.h>

#include "base/json_parse.h"

namespace baton {

using nlohmann::json;

OpaPolicyBackend::OpaPolicyBackend(std::string url, int timeout_ms)
    : url_(std::move(url)), timeout_ms_(timeout_ms) {}

PolicyAnswer OpaPolicyBackend::Decide(const json& input) {
  // url_ = scheme://host[:port]/path
  size_t scheme_end = url_.find("://");
  size_t path_start =
      scheme_end == std::string::npos ? std::string::npos : url_.find('/', scheme_end + 3);
  if (path_start == std::string::npos)
    return {false, {"--opa-url must look like http://127.0.0.1:8181/v1/data/baton"}, ""};
  httplib::Client client(url_.substr(0, path_start));
  client.set_connection_timeout(0, timeout_ms_ * 1000);
  client.set_read_timeout(0, timeout_ms_ * 1000);
  client.set_write_timeout(0, timeout_ms_ * 1000);
  auto res = client.Post(url_.substr(path_start), json{{"input", input}}.dump(), "application/json");
  if (!res)
    return {false,
            {"the OPA server did not answer (" + httplib::to_string(res.error()) +
             "): denied (fail closed)"},
            ""};
  if (res->status != 200)
    return {false, {"the OPA server answered HTTP " + std::to_string(res->status) + ": denied"}, ""};
  PolicyAnswer a;
  json body = ParseJsonOrDiscarded(res->body);
  if (body.is_object() && body.contains("decision_id") && body["decision_id"].is_string())
    a.decision_id = body["decision_id"].get<std::string>();
  if (!body.is_object() || !body.contains("result")) {
    a.reasons.push_back("the OPA server returned no result (undefined decision): denied");
    return a;
  }
  const json& r = body["result"];
  a.allow = r.is_object() && r.value("allow", json()) == true;
  if (r.is_object() && r.contains("deny") && r["deny"].is_array())
    for (const json& m : r["deny"])
      a.reasons.push_back(m.is_string() ? m.get<std::string>() : m.dump());
  if (!a.reasons.empty()) a.allow = false;
  if (!a.allow && a.reasons.empty()) a.reasons.push_back("OPA: allow is not true");
  if (!a.allow && r.is_object() && r.contains("hint")) {  // optional: see PolicyAnswer::hints
    const json& h = r["hint"];
    if (h.is_string()) a.hints.push_back(h.get<std::string>());
    if (h.is_array())
      for (const json& m : h)
        if (m.is_string()) a.hints.push_back(m.get<std::string>());
  }
  return a;
}

}  // namespace baton
