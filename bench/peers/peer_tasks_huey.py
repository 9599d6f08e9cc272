"""The Huey tasks of bench/peers: run a command (the job), count finished jobs in Redis.

Huey 3.x on SQLite (its SqliteStorage, WAL) at synchronous=NORMAL, the durability of baton's
default (an acknowledged enqueue survives kill -9, not power loss), so that the two queues pay
for the same commits. Results are not stored: neither baton's figure nor the other peers' wait
for one. The finished-job counter lives in the Redis the other peers use, so that every peer
is counted the same way.
"""
import os
import subprocess

import redis
from huey import Huey
from huey.storage import SqliteStorage


class NormalSyncSqliteStorage(SqliteStorage):
    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn


huey = Huey("bench", results=False, storage_class=NormalSyncSqliteStorage,
            filename=os.environ["BENCH_HUEY_DB"])
_counter = redis.Redis.from_url(os.environ["BENCH_REDIS_URL"])


@huey.task()
def run(argv):
    subprocess.run(argv, check=False)
    _counter.incr("bench:done")


@huey.task()
def ping():
    _counter.incr("bench:ping")
