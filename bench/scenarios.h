// bench/scenarios.h
//
// The scenarios of `baton_bench` (one subcommand each). Each prints its figures as JSON lines
// (bench_common.h Emit) and returns a process exit code: non-zero only when the scenario could
// not run at all (a missed target is a figure, never a failure).
#pragma once

#include "bench/bench_common.h"

namespace baton::bench {

int EnqueueScenario(const Options& o);   // 1: enqueue throughput, sequential and pipelined
int EndToEndScenario(const Options& o);  // 2: N /bin/true jobs -> all succeeded
int LatencyScenario(const Options& o);   // 3: idle start latency, delayed-job accuracy
int StartupScenario(const Options& o);   // 4: exec -> initialize, idle RSS, RSS with queued jobs
int StatusScenario(const Options& o);    // 5: status (and jobs page) latency at 1M jobs
int EventsScenario(const Options& o);    // 6: NATS JetStream drain rate and latency
int PolicyScenario(const Options& o);    // 7: policy evaluation cost
int HttpScenario(const Options& o);      // 8: HTTP status calls, 16 clients
int HttpBench(const Options& o);         // 8, in baton_bench_http (links cpp-httplib)
int Report(const Options& o);            // results.jsonl -> results.json + results.md
int Baseline(const Options& o);          // one baseline as JSON (for bench/peers)

// The baselines, shared with bench/peers through `baton_bench baseline`.
double SqliteCommitsPerSecond(const std::string& dir, bool full, long n);
double SpawnLoopPerSecond(long n, int concurrency);
std::vector<double> SpawnStampLatencies(const std::string& stamp, const std::string& dir, long n);            // results.jsonl -> results.json + results.md

// A fresh directory workdir/name holding a database path `baton.db` (removed first).
std::string FreshDb(const Env& env, const std::string& name);

}  // namespace baton::bench
