#include "storage/migrations.h"

#include <string>
#include <vector>

#include "storage/sqlite_db.h"

namespace baton::storage {

namespace {

// Append only: never edit a migration that has shipped.
const std::vector<const char*> kMigrations = {
    // 1: jobs, their dependencies, attempts, the event outbox, queues, processes.
    R"sql(
CREATE TABLE jobs(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  state TEXT NOT NULL,
  queue TEXT NOT NULL,
  priority INTEGER NOT NULL DEFAULT 0,
  run_at_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  started_ms INTEGER,
  finished_ms INTEGER,
  attempt INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 1,
  unmet_deps INTEGER NOT NULL DEFAULT 0,
  spec TEXT NOT NULL,
  idempotency_key TEXT,
  session TEXT NOT NULL DEFAULT '',
  principal TEXT NOT NULL DEFAULT '',
  chain_id INTEGER,
  chain_step INTEGER NOT NULL DEFAULT 0,
  name TEXT NOT NULL DEFAULT '',
  exit_code INTEGER,
  signal INTEGER,
  error TEXT NOT NULL DEFAULT '',
  stdout_tail TEXT NOT NULL DEFAULT '',
  stderr_tail TEXT NOT NULL DEFAULT '',
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  labels TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX jobs_ready ON jobs(priority DESC, run_at_ms, id) WHERE state = 'queued';
CREATE INDEX jobs_due ON jobs(run_at_ms) WHERE state = 'pending' AND unmet_deps = 0;
CREATE INDEX jobs_running ON jobs(queue) WHERE state = 'running';
CREATE INDEX jobs_state ON jobs(state, id);
CREATE INDEX jobs_idempotency ON jobs(idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_chain ON jobs(chain_id) WHERE chain_id IS NOT NULL;
CREATE INDEX jobs_created ON jobs(created_ms);

CREATE TABLE deps(
  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  depends_on INTEGER NOT NULL,
  condition TEXT NOT NULL,
  PRIMARY KEY(job_id, depends_on)
) WITHOUT ROWID;
CREATE INDEX deps_upstream ON deps(depends_on);

CREATE TABLE attempts(
  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  runner_id TEXT NOT NULL,
  started_ms INTEGER NOT NULL,
  ended_ms INTEGER,
  pid INTEGER,
  pid_start_ticks INTEGER,
  outcome TEXT,
  exit_code INTEGER,
  signal INTEGER,
  error TEXT NOT NULL DEFAULT '',
  stdout_path TEXT NOT NULL DEFAULT '',
  stderr_path TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(job_id, number)
) WITHOUT ROWID;
CREATE INDEX attempts_open ON attempts(runner_id) WHERE ended_ms IS NULL;

CREATE TABLE events(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ts_ms INTEGER NOT NULL,
  job_id INTEGER,
  type TEXT NOT NULL,
  queue TEXT NOT NULL DEFAULT '',
  data TEXT NOT NULL DEFAULT '{}',
  published INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX events_unpublished ON events(id) WHERE published = 0;
CREATE INDEX events_job ON events(job_id, id);

CREATE TABLE queues(
  name TEXT PRIMARY KEY,
  concurrency INTEGER,
  paused INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE runners(
  id TEXT PRIMARY KEY,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  started_ms INTEGER NOT NULL,
  heartbeat_ms INTEGER NOT NULL
);

CREATE TABLE frontends(
  bell TEXT PRIMARY KEY,
  pid INTEGER NOT NULL,
  started_ms INTEGER NOT NULL
);
)sql",
    // 2: manual retries keep history (attempt_base), cron schedules, indexes for retention.
    R"sql(
ALTER TABLE jobs ADD COLUMN attempt_base INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_finished ON jobs(finished_ms) WHERE finished_ms IS NOT NULL;
CREATE INDEX events_ts ON events(ts_ms);

CREATE TABLE schedules(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  cron TEXT NOT NULL,
  tz TEXT NOT NULL DEFAULT 'UTC',
  spec TEXT NOT NULL,
  catch_up TEXT NOT NULL DEFAULT 'skip',
  next_run_ms INTEGER NOT NULL,
  last_run_ms INTEGER,
  last_job_id INTEGER,
  missed_runs INTEGER NOT NULL DEFAULT 0,
  last_missed_ms INTEGER,
  created_ms INTEGER NOT NULL,
  session TEXT NOT NULL DEFAULT '',
  principal TEXT NOT NULL DEFAULT ''
);
CREATE INDEX schedules_due ON schedules(next_run_ms);
)sql",
    // 3: the policy decision log.
    R"sql(
CREATE TABLE decisions(
  id TEXT PRIMARY KEY,
  ts_ms INTEGER NOT NULL,
  principal TEXT NOT NULL,
  session TEXT NOT NULL,
  method TEXT NOT NULL,
  tool TEXT NOT NULL DEFAULT '',
  allowed INTEGER NOT NULL,
  reasons TEXT NOT NULL DEFAULT '[]',
  eval_us INTEGER NOT NULL,
  input_digest TEXT NOT NULL,
  input TEXT NOT NULL,
  backend TEXT NOT NULL,
  backend_decision_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX decisions_ts ON decisions(ts_ms);
CREATE INDEX jobs_principal ON jobs(principal, created_ms);
)sql",
    // 4: MCP tasks (2025-11-25 core tasks and the 2026-07-28 tasks extension), each a handle on
    // jobs: tasks/get reads the jobs, so a task survives the front-end that created it.
    R"sql(
CREATE TABLE tasks(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  principal TEXT NOT NULL,
  session TEXT NOT NULL,
  era TEXT NOT NULL,
  tool TEXT NOT NULL,
  job_ids TEXT NOT NULL,
  view TEXT NOT NULL DEFAULT '{}',
  created_ms INTEGER NOT NULL,
  ttl_ms INTEGER,
  cancelled_ms INTEGER
);
CREATE INDEX tasks_principal ON tasks(principal, seq);
CREATE INDEX tasks_expiry ON tasks(created_ms + ttl_ms) WHERE ttl_ms IS NOT NULL;
)sql",
    // 5: the totals /metrics reads (docs/metrics.md), and the outbox's size. Kept by triggers in
    // the transaction of the change they count, so every process that writes agrees, and retention (which deletes jobs,
    // attempts and decisions) never makes a counter go down. Filled once from what exists.
    R"sql(
CREATE TABLE metric_job_counts(
  queue TEXT NOT NULL,
  state TEXT NOT NULL,
  n INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(queue, state)
) WITHOUT ROWID;
CREATE TABLE metric_counters(
  family TEXT NOT NULL,
  l1 TEXT NOT NULL DEFAULT '',
  l2 TEXT NOT NULL DEFAULT '',
  l3 TEXT NOT NULL DEFAULT '',
  n INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(family, l1, l2, l3)
) WITHOUT ROWID;
CREATE TABLE metric_bounds(
  le_ms INTEGER PRIMARY KEY
);
INSERT INTO metric_bounds(le_ms) VALUES (50), (100), (250), (500), (1000), (2500), (5000),
  (10000), (30000), (60000), (120000), (300000), (600000), (1800000), (3600000), (7200000),
  (21600000), (9223372036854775807);
CREATE TABLE metric_histograms(
  family TEXT NOT NULL,
  queue TEXT NOT NULL,
  le_ms INTEGER NOT NULL,
  n INTEGER NOT NULL DEFAULT 0,
  sum_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(family, queue, le_ms)
) WITHOUT ROWID;
CREATE INDEX jobs_queued_since ON jobs(queue, updated_ms) WHERE state = 'queued';

CREATE TRIGGER metric_job_insert AFTER INSERT ON jobs BEGIN
  INSERT INTO metric_job_counts(queue, state, n) VALUES(new.queue, new.state, 1)
    ON CONFLICT(queue, state) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER metric_job_delete AFTER DELETE ON jobs BEGIN
  UPDATE metric_job_counts SET n = n - 1 WHERE queue = old.queue AND state = old.state;
END;
CREATE TRIGGER metric_job_state AFTER UPDATE OF state, queue ON jobs
    WHEN old.state IS NOT new.state OR old.queue IS NOT new.queue BEGIN
  UPDATE metric_job_counts SET n = n - 1 WHERE queue = old.queue AND state = old.state;
  INSERT INTO metric_job_counts(queue, state, n) VALUES(new.queue, new.state, 1)
    ON CONFLICT(queue, state) DO UPDATE SET n = n + 1;
END;
-- A job finishing: a failed job whose last attempt timed out or was lost says so.
CREATE TRIGGER metric_job_finished AFTER UPDATE OF state ON jobs
    WHEN old.state IS NOT new.state
     AND new.state IN ('succeeded', 'failed', 'dead', 'cancelled', 'skipped') BEGIN
  INSERT INTO metric_counters(family, l1, l2, n)
    SELECT 'jobs_finished', new.queue,
           CASE WHEN new.state <> 'failed' THEN new.state
                ELSE COALESCE((SELECT CASE outcome WHEN 'timeout' THEN 'timed_out'
                                                   WHEN 'inactivity_timeout' THEN 'timed_out'
                                                   WHEN 'lost' THEN 'lost' END
                               FROM attempts WHERE job_id = new.id AND number = new.attempt),
                              'failed') END, 1
    WHERE true
    ON CONFLICT(family, l1, l2, l3) DO UPDATE SET n = n + 1;
END;
-- Queue wait: from becoming runnable (the last move to queued) to the claim.
CREATE TRIGGER metric_queue_wait AFTER UPDATE OF state ON jobs
    WHEN old.state = 'queued' AND new.state = 'running' BEGIN
  INSERT INTO metric_histograms(family, queue, le_ms, n, sum_ms)
    SELECT 'queue_wait', new.queue, MIN(le_ms), 1, MAX(new.updated_ms - old.updated_ms, 0)
    FROM metric_bounds WHERE le_ms >= new.updated_ms - old.updated_ms
    ON CONFLICT(family, queue, le_ms) DO UPDATE SET n = n + 1, sum_ms = sum_ms + excluded.sum_ms;
END;
-- Attempt duration: from the claim to the recorded end (a lost attempt: to its recovery).
CREATE TRIGGER metric_attempt_end AFTER UPDATE OF ended_ms ON attempts
    WHEN old.ended_ms IS NULL AND new.ended_ms IS NOT NULL BEGIN
  INSERT INTO metric_histograms(family, queue, le_ms, n, sum_ms)
    SELECT 'job_duration', (SELECT queue FROM jobs WHERE id = new.job_id), MIN(le_ms), 1,
           MAX(new.ended_ms - new.started_ms, 0)
    FROM metric_bounds WHERE le_ms >= new.ended_ms - new.started_ms
    ON CONFLICT(family, queue, le_ms) DO UPDATE SET n = n + 1, sum_ms = sum_ms + excluded.sum_ms;
END;
-- The outbox gauge: counting unpublished events at each scrape walked them all (130 ms at a
-- million, as without --nats, where nothing drains them).
CREATE TRIGGER metric_outbox_insert AFTER INSERT ON events WHEN new.published = 0 BEGIN
  INSERT INTO metric_counters(family, n) VALUES('outbox_pending', 1)
    ON CONFLICT(family, l1, l2, l3) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER metric_outbox_published AFTER UPDATE OF published ON events
    WHEN (old.published = 0) <> (new.published = 0) BEGIN
  UPDATE metric_counters SET n = n + CASE WHEN new.published = 0 THEN 1 ELSE -1 END
    WHERE family = 'outbox_pending' AND l1 = '' AND l2 = '' AND l3 = '';
END;
CREATE TRIGGER metric_outbox_delete AFTER DELETE ON events WHEN old.published = 0 BEGIN
  UPDATE metric_counters SET n = n - 1
    WHERE family = 'outbox_pending' AND l1 = '' AND l2 = '' AND l3 = '';
END;
CREATE TRIGGER metric_decision AFTER INSERT ON decisions BEGIN
  INSERT INTO metric_counters(family, l1, n)
    VALUES('policy_decisions', CASE WHEN new.allowed THEN 'allow' ELSE 'deny' END, 1)
    ON CONFLICT(family, l1, l2, l3) DO UPDATE SET n = n + 1;
END;

INSERT INTO metric_job_counts(queue, state, n) SELECT queue, state, COUNT(*) FROM jobs
  GROUP BY queue, state;
INSERT INTO metric_counters(family, l1, l2, n)
  SELECT 'jobs_finished', queue, state, COUNT(*) FROM jobs
  WHERE state IN ('succeeded', 'failed', 'dead', 'cancelled', 'skipped') GROUP BY queue, state;
INSERT INTO metric_counters(family, n)
  SELECT 'outbox_pending', COUNT(*) FROM events WHERE published = 0;
INSERT INTO metric_counters(family, l1, n)
  SELECT 'policy_decisions', CASE WHEN allowed THEN 'allow' ELSE 'deny' END, COUNT(*)
  FROM decisions GROUP BY allowed;
)sql",
    // 6: isolated jobs (isolation "worktree") keep their worktree's summary per attempt.
    R"sql(
ALTER TABLE attempts ADD COLUMN worktree TEXT NOT NULL DEFAULT '';
)sql",
};

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(kMigrations.size()); }

Status Migrate(Db& db) {
  BATON_ASSIGN_OR_RETURN(auto tx, Transaction::Begin(db));
  BATON_ASSIGN_OR_RETURN(Stmt st, db.Prepare("PRAGMA user_version"));
  BATON_ASSIGN_OR_RETURN(bool row, st.Step());
  int version = row ? static_cast<int>(st.Int(0)) : 0;
  if (version > LatestSchemaVersion())
    return Status::FailedPrecondition(
        "the database has schema version " + std::to_string(version) +
        ", newer than this baton understands (" + std::to_string(LatestSchemaVersion()) +
        "); upgrade baton");
  for (int v = version; v < LatestSchemaVersion(); ++v) {
    BATON_RETURN_IF_ERROR(db.Exec(kMigrations[v]));
    BATON_RETURN_IF_ERROR(db.Exec("PRAGMA user_version = " + std::to_string(v + 1)));
  }
  return tx->Commit();
}

}  // namespace baton::storage
