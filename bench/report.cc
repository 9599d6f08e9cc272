// `baton_bench report`: merges the JSON lines of a run (baton's and the peers') into one JSON
// document and one markdown table, ordered by scenario, followed by baton's end-to-end figures
// side by side with the spawn loop and the peers measured in the same run.
#include <stdio.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "bench/scenarios.h"

namespace baton::bench {

using nlohmann::json;

namespace {

std::string Num(double v) {
  char buf[64];
  if (v >= 1000)
    snprintf(buf, sizeof buf, "%.0f", v);
  else if (v >= 10)
    snprintf(buf, sizeof buf, "%.1f", v);
  else
    snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string Ratio(double v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// Issue 16's targets for end to end: at least 0.7x the spawn loop, at least 2x Huey.
constexpr double kSpawnRatioTarget = 0.7;
constexpr double kHueyRatioTarget = 2.0;

std::string Verdict(double ratio, double target) {
  return "target >= " + Ratio(target) + "x: " + (ratio >= target ? "met" : "**not met**");
}

// "end to end c=2: baton 398/s = 0.30x spawn (…), 0.71x huey (…), 2.1x celery": one line per
// concurrency. Pairs figures by scenario 2's name, which baton_bench and peers.py share.
std::string SideBySide(const json& figures) {
  std::string out;
  for (const json& b : figures) {
    if (b["scenario"] != 2 || b.value("system", "") != "baton" || !b.contains("value")) continue;
    std::string name = b.value("name", "");
    std::string conc = name.substr(name.find_last_of(' ') + 1);
    double v = b["value"].get<double>();
    std::string line = "- end to end c=" + conc + ": baton " + Num(v) + "/s";
    if (b.contains("ratio"))
      line += " = " + Ratio(b["ratio"].get<double>()) + "x spawn (" +
              Verdict(b["ratio"].get<double>(), kSpawnRatioTarget) + ")";
    for (const json& p : figures) {
      if (p["scenario"] != 2 || p.value("system", "baton") == "baton" || p.value("name", "") != name ||
          !p.contains("value") || p["value"].get<double>() <= 0)
        continue;
      std::string system = p["system"].get<std::string>();
      double ratio = v / p["value"].get<double>();
      line += ", " + Ratio(ratio) + "x " + system + " (" + Num(p["value"].get<double>()) + "/s";
      if (system == "huey") line += "; " + Verdict(ratio, kHueyRatioTarget);
      line += ")";
    }
    out += line + "\n";
  }
  return out.empty() ? out : "\nSide by side, same run:\n\n" + out;
}

}  // namespace

int Report(const Options& o) {
  std::ifstream in(o.Get("in"));
  if (!in) {
    fprintf(stderr, "baton_bench report: cannot read --in %s\n", o.Get("in").c_str());
    return 2;
  }
  json figures = json::array();
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("scenario")) figures.push_back(std::move(j));
  }
  std::stable_sort(figures.begin(), figures.end(), [](const json& a, const json& b) {
    return a["scenario"].get<int>() < b["scenario"].get<int>();
  });
  json doc = {{"meta", json::object()}, {"figures", figures}};
  for (const auto& [k, v] : o.values)
    if (k.rfind("meta-", 0) == 0) doc["meta"][k.substr(5)] = v;
  if (o.Has("json")) std::ofstream(o.Get("json")) << doc.dump(2) << "\n";
  std::string md = "| # | system | figure | value | baseline (same run) | ratio | target | met |\n"
                   "|---|---|---|---|---|---|---|---|\n";
  int met = 0, missed = 0;
  for (const json& f : figures) {
    md += "| " + std::to_string(f["scenario"].get<int>()) + " | " + f.value("system", "") + " | " +
          f.value("name", "") + " | ";
    if (f.contains("unavailable")) {
      md += "not available yet: " + f["unavailable"].get<std::string>() + " | | | | |\n";
      continue;
    }
    std::string unit = f.value("unit", "");
    md += Num(f["value"].get<double>()) + " " + unit + " | ";
    if (f.contains("baseline"))
      md += Num(f["baseline"]["value"].get<double>()) + " " + unit + " (" +
            f["baseline"]["name"].get<std::string>() + ")";
    md += " | ";
    if (f.contains("ratio")) md += Num(f["ratio"].get<double>());
    md += " | ";
    if (f.contains("target")) {
      const json& t = f["target"];
      md += (t["of"] == "ratio" ? "ratio " : "") + t["op"].get<std::string>() + " " +
            Num(t["value"].get<double>()) + (t["of"] == "ratio" ? "" : " " + unit);
      bool ok = f.value("met", false);
      (ok ? met : missed)++;
      md += std::string(" | ") + (ok ? "met" : "**not met**") + " |\n";
    } else {
      md += " | |\n";
    }
  }
  md += "\nTargets: " + std::to_string(met) + " met, " + std::to_string(missed) +
        " not met (a miss never fails the run). Ratio = value / baseline.\n";
  md += SideBySide(figures);
  if (o.Has("md")) std::ofstream(o.Get("md")) << md;
  fputs(md.c_str(), stdout);
  return 0;
}

}  // namespace baton::bench

namespace baton::bench {

int Baseline(const Options& o) {
  Env env = EnvFrom(o);
  std::string kind = o.Get("kind");
  long n = o.Int("n", 1000);
  nlohmann::json out;
  if (kind == "sqlite-normal" || kind == "sqlite-full") {
    bool full = kind == "sqlite-full";
    out = {{"name", std::string("one-row SQLite commits, ") + (full ? "FULL" : "NORMAL")},
           {"value", SqliteCommitsPerSecond(env.workdir + "/baseline-sqlite", full, n)}};
  } else if (kind == "spawn") {
    int c = static_cast<int>(o.Int("concurrency", 1));
    out = {{"name", "posix_spawn+waitpid, " + std::to_string(c) + " in flight"},
           {"value", SpawnLoopPerSecond(n, c)}};
  } else if (kind == "stamp") {
    std::string dir = env.workdir + "/baseline-stamps";
    std::filesystem::create_directories(dir);
    auto v = SpawnStampLatencies(env.stamp, dir, n);
    out = {{"name", "posix_spawn of the same helper"},
           {"p50", Percentile(v, 0.5)}, {"p90", Percentile(v, 0.9)}, {"p99", Percentile(v, 0.99)}};
  } else {
    fprintf(stderr, "baton_bench baseline: --kind sqlite-normal|sqlite-full|spawn|stamp\n");
    return 2;
  }
  printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace baton::bench
