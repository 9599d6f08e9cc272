#include "storage/fault_plan.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace baton::storage {

namespace {

struct Rule {
  long nth = 0;          // 0: every operation
  bool and_later = false;  // N+: the Nth and after
};

struct Plan {
  std::mutex mu;
  std::optional<std::string> content;  // the control file as last read; nullopt: absent
  std::map<std::string, Rule, std::less<>> rules;
  std::map<std::string, long, std::less<>> counts;
};

Plan& ThePlan() {
  static Plan plan;
  return plan;
}

std::map<std::string, Rule, std::less<>> Parse(const std::string& text) {
  std::map<std::string, Rule, std::less<>> rules;
  std::istringstream lines(text);
  std::string line;
  bool any = false;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string point, count;
    if (!(words >> point) || point[0] == '#') continue;
    any = true;
    Rule rule;
    if (words >> count) {
      rule.and_later = !count.empty() && count.back() == '+';
      if (rule.and_later) count.pop_back();
      rule.nth = std::strtol(count.c_str(), nullptr, 10);
      if (rule.nth <= 0) continue;  // malformed: no rule rather than a surprise
    }
    rules[point] = rule;
  }
  if (!any)
    for (const char* point : {"db.write", "db.sync", "db.truncate"}) rules[point] = Rule{};
  return rules;
}

}  // namespace

const char* FaultControlFile() {
  static const char* const path = [] {
    const char* p = std::getenv(kFaultInjectEnv);
    return p && *p ? p : nullptr;
  }();
  return path;
}

bool InjectFault(std::string_view point) {
  const char* control = FaultControlFile();
  if (!control) return false;
  Plan& plan = ThePlan();
  std::lock_guard<std::mutex> lock(plan.mu);
  std::ifstream in(control, std::ios::binary);
  if (!in) {
    plan.content.reset();
    plan.counts.clear();
    return false;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (plan.content != text) {  // a new plan: counting starts again
    plan.content = text;
    plan.rules = Parse(text);
    plan.counts.clear();
  }
  auto rule = plan.rules.find(point);
  if (rule == plan.rules.end()) return false;
  auto count = plan.counts.find(point);
  if (count == plan.counts.end()) count = plan.counts.emplace(std::string(point), 0).first;
  long n = ++count->second;
  const Rule& r = rule->second;
  return r.nth == 0 || n == r.nth || (r.and_later && n > r.nth);
}

}  // namespace baton::storage
