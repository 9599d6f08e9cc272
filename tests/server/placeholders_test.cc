#include "server/jobs/placeholders.h"

#include <gtest/gtest.h>

namespace baton {
namespace {

Result<std::string> Lookup(const PlaceholderRef& r) {
  if (r.own) return "O." + r.field;
  if (r.step.empty()) return "P." + r.field;
  return "S." + r.step + "." + r.field;
}

TEST(PlaceholdersTest, ExpandsKnownPlaceholders) {
  struct Case { const char* in; const char* out; };
  const Case kCases[] = {
      {"plain", "plain"},
      {"{{prev.stdout}}", "P.stdout"},
      {"got {{prev.stdout}} exit {{ prev.exit_code }}", "got P.stdout exit P.exit_code"},
      {"{{steps.build.stderr}}", "S.build.stderr"},
      {"{{steps.a.b.job_id}}", "S.a.b.job_id"},
      {"{{{{literal}}", "{{literal}}"},
      {"try {{attempt}}: {{ last_error }}", "try O.attempt: O.last_error"},
      {"a {{ unterminated", "a {{ unterminated"},
      {"", ""},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.in);
    auto r = ExpandPlaceholders(c.in, Lookup);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, c.out);
  }
}

TEST(PlaceholdersTest, RejectsUnknownPlaceholdersWithAHint) {
  for (const char* bad : {"{{prev.output}}", "{{next.stdout}}", "{{steps.stdout}}", "{{}}"}) {
    SCOPED_TRACE(bad);
    auto r = FindPlaceholders(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("{{prev.stdout}}"), std::string::npos);
  }
}

TEST(PlaceholdersTest, LookupErrorsPropagate) {
  auto r = ExpandPlaceholders("{{prev.stdout}}", [](const PlaceholderRef&) -> Result<std::string> {
    return Status::InvalidArgument("no predecessor");
  });
  EXPECT_EQ(r.status().message(), "no predecessor");
}

}  // namespace
}  // namespace baton
