// server/remote/work_protocol.h
//
// The wire protocol between the host (the runner that owns the database) and remote workers
// (`baton worker`), over NATS. SQLite on the host stays the only truth: JetStream carries the
// work and the lease, the host decides everything (docs/remote-workers.md; the shape follows
// FIELD-NOTES' "minimal protocol": dispatch, fenced claim, heartbeat, output, result).
//
// Subjects, for baton instance I (NatsOptions::instance, one token):
//   baton.I.work.<queue>   WorkOrder, published by the host into the work-queue stream
//                          (WorkStreamName; WorkQueue retention), Nats-Msg-Id "<job>.<attempt>":
//                          a republished dispatch is deduplicated. One durable pull consumer per
//                          queue (WorkConsumerName), shared by every worker of that queue.
//   baton.I.ctl.claim      request: Claim -> Reply. The fence: the worker's random token,
//                          recorded with the attempt only if nobody claimed it and it is still
//                          the job's running attempt. A refused claim is Term'ed: never run.
//   baton.I.ctl.hb         request: Heartbeat -> Reply{ok, cancel}. Keeps the attempt alive on the
//                          host (and the worker calls InProgress on the work message); `cancel`
//                          carries a cancel request back (Temporal-style). Not ok: the host gave
//                          the attempt up (lost, ended): the worker kills it.
//   baton.I.ctl.out        request: an output chunk -> Reply. Metadata in headers (kHeader*),
//                          raw bytes as the payload (at most kMaxChunkBytes); the host writes it
//                          at its offset, so a chunk sent twice is written once.
//   baton.I.ctl.done       request: Done -> Reply{ok | pending | refused}. ok: the end is
//                          recorded (then, and only then, the worker acks the work message);
//                          pending: ask again shortly; refused (stale fence): Term.
//   baton.I.ctl.beat       publish: WorkerBeat, every kWorkerBeatMs: the workers registry.
// Every message body is JSON except the output chunk's. Decoders never throw: a malformed body
// is an error naming what is wrong.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "storage/job.h"

namespace baton::remote {

inline constexpr int64_t kDefaultLeaseMs = 20000;      // no heartbeat for this long: lost
inline constexpr int64_t kHeartbeatMs = 1000;           // a worker's heartbeat of each attempt
inline constexpr int64_t kWorkerBeatMs = 2000;          // a worker's registry beat
inline constexpr int64_t kWorkAckWaitMs = 30000;        // JetStream redelivers an unsettled order
inline constexpr size_t kMaxChunkBytes = 64 * 1024;     // output chunk payload cap
inline constexpr int64_t kRequestTimeoutMs = 5000;      // any ctl request
inline constexpr int64_t kWorkDuplicateWindowMs = 10 * 60 * 1000;

inline constexpr const char* kHeaderJob = "Baton-Job";
inline constexpr const char* kHeaderAttempt = "Baton-Attempt";
inline constexpr const char* kHeaderToken = "Baton-Token";
inline constexpr const char* kHeaderStream = "Baton-Stream";  // "out" or "err"
inline constexpr const char* kHeaderOffset = "Baton-Offset";

std::string WorkStreamName(std::string_view instance);  // BATON_WORK[_<instance>]
std::string WorkSubjects(std::string_view instance);    // baton.I.work.>
std::string WorkSubject(std::string_view instance, std::string_view queue);
std::string WorkConsumerName(std::string_view queue);   // w-<queue token>
std::string ControlSubject(std::string_view instance, std::string_view verb);  // baton.I.ctl.<verb>
std::string WorkMsgId(JobId job, int attempt);          // "<job>.<attempt>"

// One attempt to run, as the host dispatched it.
struct WorkOrder {
  JobId job = 0;
  int attempt = 0;
  std::string queue;
  std::vector<std::string> argv;
  std::string cwd;                          // a path on the worker; empty: its per-job directory
  std::map<std::string, std::string> env;   // the job's own env (expanded); the worker adds its own
  std::optional<std::string> stdin_data;
  double timeout_s = 0;
  double inactivity_timeout_s = 0;
};

struct Claim {
  JobId job = 0;
  int attempt = 0;
  std::string worker;
  std::string token;     // the fence
  uint64_t delivered = 0;
};

struct Heartbeat {
  JobId job = 0;
  int attempt = 0;
  std::string worker;
  std::string token;
};

// How an attempt ended on the worker.
struct Done {
  JobId job = 0;
  int attempt = 0;
  std::string worker;
  std::string token;
  std::optional<AttemptOutcome> refused;  // it did not start (kSpawnError, kOutputError)
  std::string error;                      // with `refused`: why
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::optional<AttemptOutcome> stopped_for;  // kTimeout, kInactivityTimeout, kCancelled, kLost
  std::string stdout_tail, stderr_tail;
  std::string output_error;
  uint64_t stdout_bytes = 0, stderr_bytes = 0;  // sent as chunks before this Done
};

struct Reply {
  bool ok = false;
  bool pending = false;   // done: not recorded yet, ask again
  bool cancel = false;    // heartbeat: stop the attempt (it was cancelled)
  std::string error;      // not ok: why (a refused claim, a stale fence)
};

struct WorkerBeat {
  std::string name;
  std::string host;
  int pid = 0;
  std::vector<std::string> queues;
  int slots = 0;
  std::vector<std::pair<JobId, int>> running;  // (job, attempt)
  std::string version;
};

std::string Encode(const WorkOrder& m);
std::string Encode(const Claim& m);
std::string Encode(const Heartbeat& m);
std::string Encode(const Done& m);
std::string Encode(const Reply& m);
std::string Encode(const WorkerBeat& m);

Result<WorkOrder> DecodeWorkOrder(std::string_view body);
Result<Claim> DecodeClaim(std::string_view body);
Result<Heartbeat> DecodeHeartbeat(std::string_view body);
Result<Done> DecodeDone(std::string_view body);
Result<Reply> DecodeReply(std::string_view body);
Result<WorkerBeat> DecodeWorkerBeat(std::string_view body);

}  // namespace baton::remote
