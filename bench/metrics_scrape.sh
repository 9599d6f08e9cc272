#!/bin/sh
# bench/metrics_scrape.sh [JOBS]: what one /metrics scrape costs over a large database (default
# 1,000,000 jobs in 8 queues, 1% of them queued, and one unpublished event per job, as without
# --nats). Builds the database with sqlite3 (the triggers of migration 5 keep the totals as the
# rows go in), serves it with `baton web`, and times scrapes with curl.
# Needs: build/baton (or BATON=...), sqlite3, curl, python3.
set -eu
BATON=${BATON:-build/baton}
N=${1:-1000000}
dir=$(mktemp -d)
trap 'kill "$web" 2>/dev/null || true; rm -rf "$dir"' EXIT
db=$dir/baton.db
"$BATON" jobs --db "$db" >/dev/null  # creates the database at the current schema
start=$(date +%s)
sqlite3 "$db" <<SQL
PRAGMA journal_mode=WAL;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO jobs(state, queue, run_at_ms, created_ms, updated_ms, spec)
  SELECT CASE WHEN i % 100 = 0 THEN 'queued' WHEN i % 7 = 0 THEN 'failed' ELSE 'succeeded' END,
         'q' || (i % 8), 0, i, i, '{"command":["true"]}' FROM n;
INSERT INTO events(ts_ms, job_id, type, queue) SELECT created_ms, id, 'enqueued', queue FROM jobs;
COMMIT;
SQL
echo "built $N jobs in $(( $(date +%s) - start )) s: $(du -h "$db" | cut -f1)"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
"$BATON" web --listen "127.0.0.1:$port" --db "$db" --log-level warn &
web=$!
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$port/metrics" >/dev/null && break
  sleep 0.1
done
for i in 1 2 3 4 5; do
  curl -s -o "$dir/m.txt" -w "scrape $i: %{time_total} s, %{size_download} bytes\n" \
    "http://127.0.0.1:$port/metrics"
done
grep -E '^baton_(jobs\{queue="q0"|events_outbox_pending)' "$dir/m.txt"
