// baton_bench: the benchmark scenarios of bench/run.sh, one subcommand each. Figures go to stdout
// as JSON lines; progress and a readable line per figure go to stderr. See bench/README.md.
#include <stdio.h>
#include <string.h>

#include "bench/scenarios.h"

int main(int argc, char** argv) {
  using namespace baton::bench;
  if (argc < 2) {
    fprintf(stderr,
            "usage: baton_bench SCENARIO [--baton PATH] [--stamp PATH] [--workdir DIR] [--smoke] ...\n"
            "  enqueue | e2e | latency | startup | status | events | policy | http\n"
            "  report --in results.jsonl --json OUT.json --md OUT.md\n"
            "  baseline --kind sqlite-normal|sqlite-full|spawn|stamp [--n N] [--concurrency C]\n");
    return 2;
  }
  std::string cmd = argv[1];
  Options o = ParseOptions(argc - 2, argv + 2);
  if (cmd == "enqueue") return EnqueueScenario(o);
  if (cmd == "e2e") return EndToEndScenario(o);
  if (cmd == "latency") return LatencyScenario(o);
  if (cmd == "startup") return StartupScenario(o);
  if (cmd == "status") return StatusScenario(o);
  if (cmd == "events") return EventsScenario(o);
  if (cmd == "policy") return PolicyScenario(o);
  if (cmd == "http") return HttpScenario(o);
  if (cmd == "report") return Report(o);
  if (cmd == "baseline") return Baseline(o);
  fprintf(stderr, "baton_bench: unknown scenario %s\n", cmd.c_str());
  return 2;
}
