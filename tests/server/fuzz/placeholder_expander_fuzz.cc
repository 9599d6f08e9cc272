// tests/server/fuzz/placeholder_expander_fuzz.cc
//
// libFuzzer target for the placeholder expander (server/jobs/placeholders.h), which rewrites argv, env
// and stdin with a predecessor's output just before a job runs. The two entry points must agree
// (what FindPlaceholders accepts, ExpandPlaceholders expands, asking for exactly those references
// in order), a value is never expanded again (an output that itself reads `{{prev.stdout}}` stays
// literal), and text without `{{` comes back unchanged. Built and run by scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/jobs/placeholders.h"

namespace {

void Require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto refs = baton::FindPlaceholders(text);

  // A value that would expand if it were scanned again.
  const std::string hostile = "{{prev.stdout}}";
  size_t asked = 0;
  auto expanded = baton::ExpandPlaceholders(
      text, [&](const baton::PlaceholderRef& ref) -> baton::Result<std::string> {
        // A text with a bad placeholder may still ask for the good ones before it.
        if (refs.ok()) {
          Require(asked < refs->size());
          const baton::PlaceholderRef& want = (*refs)[asked];
          Require(ref.step == want.step && ref.field == want.field);
        }
        ++asked;
        return hostile;
      });
  Require(refs.ok() == expanded.ok());
  if (!expanded.ok()) return 0;
  Require(asked == refs->size());
  if (text.find("{{") == std::string_view::npos) Require(*expanded == text);

  // Expanding with empty values shortens the text by exactly what the values added.
  auto empty = baton::ExpandPlaceholders(
      text, [](const baton::PlaceholderRef&) -> baton::Result<std::string> { return std::string(); });
  Require(empty.ok());
  Require(expanded->size() == empty->size() + asked * hostile.size());

  // An error from the lookup is returned as is, never swallowed.
  if (asked > 0) {
    auto failed = baton::ExpandPlaceholders(
        text, [](const baton::PlaceholderRef&) -> baton::Result<std::string> {
          return baton::Status::NotFound("no such step");
        });
    Require(!failed.ok());
  }
  return 0;
}
