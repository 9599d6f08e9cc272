"""Scenarios 1-3 for Celery 5 + Redis, RQ and Huey 3 on SQLite, printed as the same JSON lines as
baton_bench.

Run by bench/peers.sh with Debian's /usr/bin/python3 (where python3-celery and python3-rq live;
huey comes on PYTHONPATH from peers.sh):
  peers.py --system celery|rq|huey --redis-port PORT --stamp BENCH_STAMP --workdir DIR
           --baton-bench BATON_BENCH [--smoke]
Each figure's baseline comes from the same run (baton_bench baseline ...), as baton's do.
The job of every scenario is a command, as in baton: the task runs it with subprocess.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def emit(fig):
    if fig.get("baseline") and fig["baseline"]["value"]:
        fig["ratio"] = fig["value"] / fig["baseline"]["value"]
    print(json.dumps(fig), flush=True)
    base = fig.get("baseline")
    sys.stderr.write(
        "  [%d] %-52s %12.3f %-8s%s\n"
        % (fig["scenario"], fig["system"] + ": " + fig["name"], fig["value"], fig["unit"],
           " | baseline %.3f (%s) ratio %.3f" % (base["value"], base["name"], fig["ratio"]) if base else ""))


def baseline(args, kind, n, conc=1):
    out = subprocess.run([args.baton_bench, "baseline", "--kind", kind, "--n", str(n),
                          "--concurrency", str(conc), "--workdir", args.workdir,
                          "--stamp", args.stamp], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def percentile(v, q):
    v = sorted(v)
    if not v:
        return 0.0
    import math
    k = max(1, math.ceil(q * len(v)))
    return v[min(len(v), k) - 1]


class Peer:
    """Starts workers and enqueues `run(argv)` tasks for one system."""

    def __init__(self, args):
        self.args = args
        self.url = "redis://127.0.0.1:%d/0" % args.redis_port
        self.workers = []
        env = dict(os.environ)
        env["PYTHONPATH"] = HERE + os.pathsep + env.get("PYTHONPATH", "")
        env["BENCH_REDIS_URL"] = self.url
        self.env = env
        os.environ.update({"BENCH_REDIS_URL": self.url})
        sys.path.insert(0, HERE)
        import redis
        self.redis = redis.Redis.from_url(self.url)

    def reset(self):
        """Forgets every queued task and counter, so that a scenario starts on an empty queue."""
        self.redis.flushdb()

    def stop_workers(self):
        for p in self.workers:
            p.terminate()
        for p in self.workers:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.workers = []

    def wait_counter(self, key, n, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            v = int(self.redis.get(key) or 0)
            if v >= n:
                return v
            time.sleep(0.002)
        return int(self.redis.get(key) or 0)


class CeleryPeer(Peer):
    name = "celery"
    durability = "Redis no fsync"

    def start_workers(self, concurrency):
        log = open(os.path.join(self.args.workdir, "celery-worker.log"), "a")
        p = subprocess.Popen([sys.executable, "-m", "celery", "-A", "peer_tasks_celery", "worker",
                              "--concurrency", str(concurrency), "--pool", "prefork", "-Q", "bench",
                              "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
                              "--without-heartbeat", "--prefetch-multiplier", "1"],
                             env=self.env, stdout=log, stderr=log, cwd=HERE)
        self.workers.append(p)
        # Ready when a ping task comes back.
        import peer_tasks_celery as t
        t.ping.apply_async(queue="bench").get(timeout=60)

    def enqueue(self, argv):
        import peer_tasks_celery as t
        t.run.apply_async((argv,), queue="bench")


class RqPeer(Peer):
    name = "rq"
    durability = "Redis no fsync"

    def start_workers(self, concurrency):
        log = open(os.path.join(self.args.workdir, "rq-worker.log"), "a")
        for _ in range(concurrency):
            p = subprocess.Popen([sys.executable, "-m", "rq.cli", "worker", "--url", self.url,
                                  "--quiet", "bench"], env=self.env, stdout=log, stderr=log, cwd=HERE)
            self.workers.append(p)
        from rq import Queue
        import peer_tasks_rq as t
        q = Queue("bench", connection=self.redis)
        job = q.enqueue(t.ping)
        deadline = time.monotonic() + 60
        while job.get_status(refresh=True) != "finished" and time.monotonic() < deadline:
            time.sleep(0.05)

    def enqueue(self, argv):
        from rq import Queue
        import peer_tasks_rq as t
        if not hasattr(self, "queue"):
            self.queue = Queue("bench", connection=self.redis)
        self.queue.enqueue(t.run, argv)


class HueyPeer(Peer):
    """Huey 3 on SQLite (WAL, synchronous=NORMAL as baton's default), one consumer process with
    thread workers. Huey's workers poll the database; the polling interval is shortened from its
    default 0.1 s (growing to 10 s when idle) to 1 ms growing to 10 ms, so that the figures
    measure the queue, not a sleep it would be configured out of for such a comparison."""
    name = "huey"
    durability = "SQLite WAL, synchronous=NORMAL"

    def __init__(self, args):
        self.db = os.path.join(args.workdir, "huey.db")
        os.environ["BENCH_HUEY_DB"] = self.db
        super().__init__(args)
        self.env["BENCH_HUEY_DB"] = self.db
        import peer_tasks_huey as t
        self.tasks = t

    def reset(self):
        super().reset()
        self.tasks.huey.flush()

    def start_workers(self, concurrency):
        log = open(os.path.join(self.args.workdir, "huey-consumer.log"), "a")
        p = subprocess.Popen([sys.executable, "-m", "huey.bin.huey_consumer", "peer_tasks_huey.huey",
                              "--workers", str(concurrency), "--worker-type", "thread",
                              "--delay", "0.001", "--max-delay", "0.01", "--no-periodic"],
                             env=self.env, stdout=log, stderr=log, cwd=HERE)
        self.workers.append(p)
        # Ready when a ping task has run.
        self.tasks.ping()
        if self.wait_counter("bench:ping", 1, 60) < 1:
            raise RuntimeError("huey consumer did not run a ping task within 60 s (see %s)" % log.name)
        self.redis.delete("bench:ping")

    def enqueue(self, argv):
        self.tasks.run(argv)


def scenario_enqueue(peer, args, n):
    base = baseline(args, "sqlite-normal", min(n, 20000))
    peer.reset()
    t0 = time.monotonic()
    for _ in range(n):
        peer.enqueue(["/bin/true"])
    rate = n / (time.monotonic() - t0)
    emit({"scenario": 1, "system": peer.name,
          "name": "enqueue sequential (%s, %s)" % (peer.name, peer.durability),
          "value": rate, "unit": "jobs/s", "baseline": base, "extra": {"n": n}})
    peer.reset()


def scenario_e2e(peer, args, n):
    for conc in (1, 2):
        base = baseline(args, "spawn", n, conc)
        peer.reset()
        peer.start_workers(conc)
        peer.redis.set("bench:done", 0)
        t0 = time.monotonic()
        for _ in range(n):
            peer.enqueue(["/bin/true"])
        done = peer.wait_counter("bench:done", n, max(60, n / 20))
        rate = done / (time.monotonic() - t0)
        peer.stop_workers()
        emit({"scenario": 2, "system": peer.name, "name": "end to end /bin/true, concurrency %d" % conc,
              "value": rate, "unit": "jobs/s", "baseline": base, "extra": {"n": n, "done": done}})


def scenario_latency(peer, args, n):
    stamps = os.path.join(args.workdir, "stamps-" + peer.name)
    os.makedirs(stamps, exist_ok=True)
    base = baseline(args, "stamp", n)
    peer.reset()
    peer.start_workers(2)
    lat = []
    for i in range(n):
        time.sleep(0.005)
        f = os.path.join(stamps, "job-%d" % i)
        t0 = time.monotonic_ns()
        peer.enqueue([args.stamp, f])
        deadline = time.monotonic() + 10
        while not os.path.exists(f) and time.monotonic() < deadline:
            time.sleep(0.0002)
        time.sleep(0.001)
        try:
            with open(f) as fh:
                lat.append((int(fh.read().strip()) - t0) / 1e6)
        except (OSError, ValueError):
            pass
    peer.stop_workers()
    for q, label in ((0.5, "p50"), (0.9, "p90"), (0.99, "p99")):
        emit({"scenario": 3, "system": peer.name, "name": "idle start latency " + label,
              "value": percentile(lat, q), "unit": "ms",
              "baseline": {"name": base["name"], "value": base["p" + label[1:]]},
              "extra": {"samples": len(lat)}})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--system", required=True, choices=["celery", "rq", "huey"])
    ap.add_argument("--redis-port", type=int, required=True)
    ap.add_argument("--stamp", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--baton-bench", required=True)
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    peer = {"celery": CeleryPeer, "rq": RqPeer, "huey": HueyPeer}[args.system](args)
    try:
        scenario_enqueue(peer, args, 200 if args.smoke else 5000)
        scenario_e2e(peer, args, 50 if args.smoke else 2000)
        scenario_latency(peer, args, 20 if args.smoke else 200)
    finally:
        peer.stop_workers()


if __name__ == "__main__":
    main()
