#include "storage/metrics_store.h"

#include "storage/migrations.h"
#include "storage/sqlite_db.h"

namespace baton {

using storage::Db;
using storage::Stmt;

MetricsStore::MetricsStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}
MetricsStore::~MetricsStore() = default;

Result<std::unique_ptr<MetricsStore>> MetricsStore::Open(const std::string& db_path) {
  BATON_ASSIGN_OR_RETURN(auto db, Db::Open(db_path, false));
  BATON_RETURN_IF_ERROR(storage::Migrate(*db));
  return std::unique_ptr<MetricsStore>(new MetricsStore(std::move(db)));
}

Result<MetricsSnapshot> MetricsStore::Read() {
  std::lock_guard<std::mutex> lock(mu_);
  // A deferred transaction: a read snapshot in WAL mode, never the write lock.
  BATON_RETURN_IF_ERROR(db_->Exec("BEGIN"));
  Result<MetricsSnapshot> snap = ReadLocked();
  Status end = db_->Exec(snap.ok() ? "COMMIT" : "ROLLBACK");
  if (!snap.ok()) return snap.status();
  BATON_RETURN_IF_ERROR(end);
  return snap;
}

Result<MetricsSnapshot> MetricsStore::ReadLocked() {
  MetricsSnapshot s;
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        "SELECT queue, state, n FROM metric_job_counts ORDER BY queue, state"));
    BATON_ASSIGN_OR_RETURN(s.jobs, st->ReadAll<MetricsSnapshot::JobCount>([](Stmt& r) {
      return MetricsSnapshot::JobCount{r.Text(0), r.Text(1), r.Int(2)};
    }));
  }
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        "SELECT family, l1, l2, l3, n FROM metric_counters ORDER BY family, l1, l2, l3"));
    BATON_ASSIGN_OR_RETURN(s.counters, st->ReadAll<MetricsSnapshot::Counter>([](Stmt& r) {
      return MetricsSnapshot::Counter{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4)};
    }));
  }
  for (const auto& c : s.counters)  // a gauge kept beside the counters (migration 5)
    if (c.family == "outbox_pending") s.outbox_pending = c.n;
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached("SELECT le_ms FROM metric_bounds ORDER BY le_ms"));
    BATON_ASSIGN_OR_RETURN(s.bounds_ms, st->ReadAll<int64_t>([](Stmt& r) { return r.Int(0); }));
  }
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        "SELECT family, queue, le_ms, n, sum_ms FROM metric_histograms "
        "ORDER BY family, queue, le_ms"));
    BATON_ASSIGN_OR_RETURN(s.buckets, st->ReadAll<MetricsSnapshot::Bucket>([](Stmt& r) {
      return MetricsSnapshot::Bucket{r.Text(0), r.Text(1), r.Int(2), r.Int(3), r.Int(4)};
    }));
  }
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        "SELECT n.name, COALESCE(q.paused, 0), q.concurrency FROM "
        "(SELECT name FROM queues UNION SELECT queue FROM metric_job_counts) n "
        "LEFT JOIN queues q ON q.name = n.name ORDER BY n.name"));
    BATON_ASSIGN_OR_RETURN(s.queues, st->ReadAll<MetricsSnapshot::Queue>([](Stmt& r) {
      MetricsSnapshot::Queue q;
      q.name = r.Text(0);
      q.paused = r.Int(1) != 0;
      if (!r.IsNull(2)) q.concurrency = static_cast<int>(r.Int(2));
      return q;
    }));
  }
  {
    // One index probe per queue (jobs_queued_since), never a walk of the queued jobs.
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
        "SELECT MIN(updated_ms) FROM jobs INDEXED BY jobs_queued_since "
        "WHERE state = 'queued' AND queue = ?"));
    for (MetricsSnapshot::Queue& q : s.queues) {
      st->Bind(1, q.name);
      BATON_ASSIGN_OR_RETURN(bool row, st->Step());
      if (row) q.oldest_queued_ms = st->OptInt(0);
      st->Reset();
    }
  }
  {
    BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached("SELECT MAX(heartbeat_ms) FROM runners"));
    BATON_ASSIGN_OR_RETURN(bool row, st->Step());
    if (row) s.runner_heartbeat_ms = st->OptInt(0);
    st->Reset();
  }
  return s;
}

Status MetricsStore::AddCounts(const std::string& family, const CounterDeltas& deltas) {
  if (deltas.empty()) return Status::OK();
  std::lock_guard<std::mutex> lock(mu_);
  BATON_ASSIGN_OR_RETURN(auto tx, storage::Transaction::Begin(*db_));
  BATON_ASSIGN_OR_RETURN(Stmt * st, db_->Cached(
      "INSERT INTO metric_counters(family, l1, l2, l3, n) VALUES(?,?,?,?,?) "
      "ON CONFLICT(family, l1, l2, l3) DO UPDATE SET n = n + excluded.n"));
  for (const auto& [labels, n] : deltas) {
    st->Reset();
    st->Bind(1, family).Bind(2, std::get<0>(labels)).Bind(3, std::get<1>(labels));
    st->Bind(4, std::get<2>(labels)).Bind(5, n);
    BATON_RETURN_IF_ERROR(st->Run());
  }
  return tx->Commit();
}

}  // namespace baton
