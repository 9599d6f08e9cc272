// Job templates and the config file that holds them: expansion, the errors an agent or operator
// gets, and that a parameter value can never add argv elements.
#include "server/jobs/job_templates.h"

#include <gtest/gtest.h>

#include <fstream>

#include "server/config_file.h"
#include "tests/support/temp_dir.h"

namespace baton {
namespace {

using nlohmann::json;

const json kTemplates = json::parse(R"({
  "test": {
    "description": "Run one test target",
    "command": ["make", "test", "TARGET={{params.target}}", "-j{{ params.jobs }}"],
    "params": {
      "target": {"type": "string", "pattern": "[a-z][a-z0-9_]*", "description": "the target"},
      "jobs": {"type": "integer", "default": 4}
    },
    "queue": "ci",
    "timeout_seconds": 600,
    "env": {"VERBOSE": "{{params.verbose}}"}
  },
  "say": {
    "command": ["echo", "{{params.text}}"],
    "params": {"text": {"type": "string"}, "verbose": {"type": "boolean", "required": false}}
  }
})");

TemplateCatalog Catalog() {
  auto c = TemplateCatalog::FromJson(kTemplates);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(c).value() : TemplateCatalog();
}

TEST(JobTemplatesTest, ExpandsEachPlaceholderInsideItsOwnString) {
  // "verbose" is not a parameter of "test": loading must fail (checked below); use a fixed copy.
  json fixed = kTemplates;
  fixed["test"]["env"] = {{"VERBOSE", "1"}};
  auto cat = TemplateCatalog::FromJson(fixed);
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  auto e = cat->Expand({{"template", "test"}, {"params", {{"target", "unit"}}}, {"priority", 5}});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->spec["command"], json({"make", "test", "TARGET=unit", "-j4"}));
  EXPECT_EQ(e->spec["queue"], "ci");
  EXPECT_EQ(e->spec["priority"], 5);
  EXPECT_EQ(e->spec["labels"]["baton.template"], "test");
  EXPECT_EQ(e->params, json({{"target", "unit"}, {"jobs", 4}}));
  EXPECT_NE(cat->Summary().find("test(target: string, jobs: integer = 4) — Run one test target"),
            std::string::npos) << cat->Summary();
}

TEST(JobTemplatesTest, ParameterValuesCannotInjectArgvOrPlaceholders) {
  json fixed = kTemplates;
  fixed["test"]["env"] = {{"VERBOSE", "1"}};
  auto cat = TemplateCatalog::FromJson(fixed);
  ASSERT_TRUE(cat.ok());
  const std::string nasty = "hi; rm -rf / && $(curl x) `id` | sh -c 'boom'\n--force";
  auto e = cat->Expand({{"template", "say"}, {"params", {{"text", nasty}}}});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(e->spec["command"].size(), 2u) << "one argv element per template element";
  EXPECT_EQ(e->spec["command"][1], nasty);
  // A value may not smuggle a placeholder the runner would expand later.
  auto p = cat->Expand({{"template", "say"}, {"params", {{"text", "{{prev.stdout}}"}}}});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("may not contain"), std::string::npos);
}

TEST(JobTemplatesTest, BadRequestsGetErrorsThatSayWhatToFix) {
  json fixed = kTemplates;
  fixed["test"]["env"] = {{"VERBOSE", "1"}};
  auto cat = TemplateCatalog::FromJson(fixed);
  ASSERT_TRUE(cat.ok());
  struct Case { json request; const char* error; };
  const Case kCases[] = {
      {{{"template", "nope"}}, "there is no template \"nope\"; the templates are: say, test"},
      {{{"template", "tset"}}, "the templates are: say, test (did you mean `test`?)"},
      {{{"template", "test"}, {"params", {{"targt", "unit"}}}},
       "`params.targt` is not a parameter of template \"test\"; it takes: target: string, jobs: "
       "integer = 4 (did you mean `target`?)"},
      {{{"template", 7}}, "`template` must be the name of a template"},
      {{{"template", "test"}}, "`params.target` is required by template \"test\" (string: the target)"},
      {{{"template", "test"}, {"params", {{"target", "unit"}, {"color", "red"}}}},
       "`params.color` is not a parameter of template \"test\"; it takes: target: string, jobs: integer = 4"},
      {{{"template", "test"}, {"params", {{"target", "unit"}, {"jobs", "four"}}}},
       "`params.jobs` must be an integer, got \"four\""},
      {{{"template", "test"}, {"params", {{"target", "../etc"}}}},
       "`params.target` \"../etc\" does not match the pattern [a-z][a-z0-9_]* of template \"test\""},
      {{{"template", "test"}, {"params", "unit"}}, "`params` must be an object"},
      {{{"template", "say"}, {"params", {{"text", "x"}}}, {"command", {"rm"}}},
       "`command` cannot be given with `template`"},
      {{{"template", "test"}, {"params", {{"target", "unit"}}}, {"queue", "fast"}},
       "`queue` is fixed by template \"test\""},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.request.dump());
    auto e = cat->Expand(c.request);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(e.status().message().find(c.error), std::string::npos) << e.status().message();
  }
}

TEST(JobTemplatesTest, BadDefinitionsNameTheField) {
  struct Case { const char* templates; const char* error; };
  const Case kCases[] = {
      {R"({"t": {"command": ["echo", "{{params.x}}"]}})",
       "`templates.t` uses {{params.x}} but declares no parameter `x`"},
      {R"({"t": {"params": {}}})", "`templates.t.command` is required"},
      {R"({"t": {"command": ["a"], "depends_on": [1]}})", "`templates.t.depends_on` cannot be set by a template"},
      {R"({"t": {"command": ["a"], "params": {"p": {"type": "float"}}}})", "`templates.t.params.p.type` must be"},
      {R"({"t": {"command": ["a"], "params": {"p": {"pattern": "("}}}})", "is not a valid RE2 expression"},
      {R"({"t": {"command": ["a"], "params": {"p": {"type": "integer", "default": "x"}}}})",
       "`templates.t.params.p.default` must be an integer"},
      {R"({"t": {"command": ["a"], "queue": "bad queue!"}})", "`templates.t.queue`"},
      {R"({"bad name": {"command": ["a"]}})", "template names are"},
      {R"([1])", "`templates` must be an object"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.templates);
    auto cat = TemplateCatalog::FromJson(json::parse(c.templates));
    ASSERT_FALSE(cat.ok());
    EXPECT_NE(cat.status().message().find(c.error), std::string::npos) << cat.status().message();
  }
  // The catalog above declares env {{params.verbose}} on "test", which has no such parameter.
  auto cat = TemplateCatalog::FromJson(kTemplates);
  ASSERT_FALSE(cat.ok());
  EXPECT_NE(cat.status().message().find("{{params.verbose}}"), std::string::npos);
}

TEST(ConfigFileTest, ReadsTemplatesAndReportsBadFilesWithTheirPath) {
  testing::TempDir dir;
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir.File(name)) << text;
    return dir.File(name);
  };
  auto ok = LoadConfig(write("ok.json", R"({"templates": {"hi": {"command": ["echo", "hi"]}}})"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->templates.templates().count("hi"), 1u);

  struct Case { std::string path; const char* error; };
  const Case kCases[] = {
      {write("syntax.json", "{\"templates\": {"), "is not valid JSON"},
      {write("key.json", R"({"tempaltes": {}})"), "`tempaltes` is not a setting; the settings are: templates"},
      {write("tpl.json", R"({"templates": {"x": {"command": "make"}}})"), "`templates.x.command`"},
      {dir.File("missing.json"), "cannot be read"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.path);
    auto r = LoadConfig(c.path);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(c.path), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find(c.error), std::string::npos) << r.status().message();
  }
  // The shipped example loads, and its pytest template refuses paths that leave tests/.
  auto example = LoadConfig(testing::SourceDir() + "/examples/config/config.json");
  ASSERT_TRUE(example.ok()) << example.status().ToString();
  EXPECT_EQ(example->templates.templates().size(), 3u);
  EXPECT_TRUE(example->templates.Expand({{"template", "pytest"}, {"params", {{"path", "tests/api/test_x.py"}}}}).ok());
  EXPECT_FALSE(example->templates.Expand({{"template", "pytest"}, {"params", {{"path", "tests/../../etc"}}}}).ok());
  EXPECT_FALSE(example->templates.Expand({{"template", "pytest"}, {"params", {{"path", "--co"}}}}).ok());

  // No --config and no default file: an empty configuration, not an error.
  setenv("XDG_CONFIG_HOME", dir.File("nothing-here").c_str(), 1);
  auto none = LoadConfig(std::nullopt);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->templates.empty());
  EXPECT_TRUE(none->path.empty());
}

}  // namespace
}  // namespace baton
