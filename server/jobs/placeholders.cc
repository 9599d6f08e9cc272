#include "server/jobs/placeholders.h"

namespace baton {

namespace {

constexpr std::string_view kFields[] = {"stdout", "stderr", "exit_code", "job_id", "state"};

Result<PlaceholderRef> ParseRef(std::string_view body) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("placeholder {{" + std::string(body) + "}} " + why +
                                   "; use {{prev.stdout}}, {{prev.stderr}}, {{prev.exit_code}}, "
                                   "{{prev.job_id}}, {{prev.state}}, {{steps.NAME.stdout}}, {{attempt}} "
                                   "or {{last_error}}");
  };
  while (!body.empty() && body.front() == ' ') body.remove_prefix(1);
  while (!body.empty() && body.back() == ' ') body.remove_suffix(1);
  PlaceholderRef ref;
  if (body == "attempt" || body == "last_error") {
    ref.field = std::string(body);
    ref.own = true;
    return ref;
  }
  std::string_view field;
  if (body.substr(0, 5) == "prev.") {
    field = body.substr(5);
  } else if (body.substr(0, 6) == "steps.") {
    std::string_view rest = body.substr(6);
    size_t dot = rest.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return bad("names no step");
    ref.step = std::string(rest.substr(0, dot));
    field = rest.substr(dot + 1);
  } else {
    return bad("is unknown");
  }
  for (std::string_view f : kFields)
    if (field == f) {
      ref.field = std::string(f);
      return ref;
    }
  return bad("has an unknown field");
}

// Calls on_text for literal runs and on_ref for placeholders.
Status Scan(std::string_view text, const std::function<void(std::string_view)>& on_text,
            const std::function<Status(const PlaceholderRef&)>& on_ref) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      on_text(text.substr(pos));
      break;
    }
    on_text(text.substr(pos, open - pos));
    if (text.substr(open, 4) == "{{{{") {
      on_text("{{");
      pos = open + 4;
      continue;
    }
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {  // a lone "{{" is literal text
      on_text(text.substr(open));
      break;
    }
    BATON_ASSIGN_OR_RETURN(PlaceholderRef ref, ParseRef(text.substr(open + 2, close - open - 2)));
    BATON_RETURN_IF_ERROR(on_ref(ref));
    pos = close + 2;
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<PlaceholderRef>> FindPlaceholders(std::string_view text) {
  std::vector<PlaceholderRef> refs;
  BATON_RETURN_IF_ERROR(Scan(text, [](std::string_view) {}, [&](const PlaceholderRef& r) {
    refs.push_back(r);
    return Status::OK();
  }));
  return refs;
}

Result<std::string> ExpandPlaceholders(
    std::string_view text, const std::function<Result<std::string>(const PlaceholderRef&)>& lookup) {
  std::string out;
  BATON_RETURN_IF_ERROR(Scan(text, [&](std::string_view s) { out.append(s); },
                             [&](const PlaceholderRef& r) -> Status {
                               BATON_ASSIGN_OR_RETURN(std::string v, lookup(r));
                               out += v;
                               return Status::OK();
                             }));
  return out;
}

}  // namespace baton
