// tests/policy/fuzz/rego_parser_fuzz.cc
//
// libFuzzer target for the Rego lexer and parser (and, when a module parses, the compiler and an
// evaluation of every rule). Built and run by scripts/fuzz.sh, outside the CMake build.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "policy/parser.h"
#include "policy/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string src(reinterpret_cast<const char*>(data), size);
  auto module = baton::policy::ParseModule("fuzz.rego", src);
  if (!module.ok()) return 0;
  auto compiled = baton::policy::CompilePolicy({{"fuzz.rego", src}});
  if (!compiled.ok()) return 0;
  nlohmann::json input = {{"tool", "enqueue"}, {"arguments", {{"command", {"make", "-j4"}}}}};
  auto all = baton::policy::EvalQuery(**compiled, "data", input, nlohmann::json::object());
  (void)all;
  return 0;
}
