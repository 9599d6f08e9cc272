"""The Celery tasks of bench/peers: run a command (the job), count finished jobs in Redis."""
import os
import subprocess

import redis
from celery import Celery

URL = os.environ["BENCH_REDIS_URL"]
app = Celery("bench", broker=URL, backend=URL)
app.conf.update(task_ignore_result=True, worker_prefetch_multiplier=1, broker_connection_retry_on_startup=True)
_counter = redis.Redis.from_url(URL)


@app.task
def run(argv):
    subprocess.run(argv, check=False)
    _counter.incr("bench:done")


@app.task(ignore_result=False)
def ping():
    return "pong"
