// The core scenario every transport must pass with the official MCP TypeScript SDK client:
// initialize, tools/list, enqueue -> status(wait) -> chain with output passing -> cancel of a
// running sleep (the process is really gone) -> status of each; progress while status waits;
// tool errors; a job outlives the client that enqueued it.
//   coreScenario(label, setup): setup(tmp) starts what is needed and returns
//   { connect(name) -> conn (see connectStdio), logs() -> string, stop() }.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, afterEach, before, describe, test } from "node:test";

import {
  callOk,
  callToolError,
  enqueue,
  eventually,
  makeTmp,
  procChildren,
  procCmdline,
  procState,
  status,
  TERMINAL,
  waitTerminal,
} from "./harness.mjs";

export const LATEST = "2025-11-25";

export function coreScenario(label, setup) {
  describe(label, () => {
    let tmp;
    let served; // what setup() returned: { connect(name), logs(), stop() }
    let conn;
    let client;
    let failed = false;
    afterEach((t) => {
      if (!t.passed) failed = true;
    });
    const seen = new Map(); // job_id -> what the job is, for the final "status of each"

    before(async () => {
      tmp = makeTmp("sdk");
      served = await setup(tmp);
      conn = await served.connect("baton-client-test");
      client = conn.client;
    });
    after(async () => {
      // Ending the session and stopping the server are checked too (a hang is a failure).
      const errors = [];
      if (conn) await conn.close().catch((e) => errors.push(e));
      if (served) {
        await served.stop().catch((e) => errors.push(e));
        // The server's log helps when something above failed.
        const logs = `${conn?.stderr?.() ?? ""}${served.logs()}`;
        if ((failed || errors.length) && logs) {
          console.error(`--- ${label}: server stderr (last 4 KB) ---\n${logs.slice(-4096)}`);
        }
      }
      if (tmp) tmp.cleanup();
      if (errors.length) throw new AggregateError(errors, errors.map((e) => e.message).join("; "));
    });

    test("initialize: serverInfo names baton, the SDK's latest revision is negotiated", () => {
      const info = client.getServerVersion();
      assert.equal(info?.name, "baton");
      assert.equal(typeof info.version, "string");
      assert.equal(conn.protocolVersion(), LATEST, "baton supports 2025-11-25, so it must answer it");
      const caps = client.getServerCapabilities();
      assert.ok(caps?.tools, `server capabilities lack tools: ${JSON.stringify(caps)}`);
    });

    test("tools/list: enqueue, status, chain, cancel with title, description, schemas, annotations", async () => {
      const { tools } = await client.listTools();
      const byName = new Map(tools.map((t) => [t.name, t]));
      for (const name of ["enqueue", "status", "chain", "cancel"]) {
        const t = byName.get(name);
        assert.ok(t, `tool ${name} missing from tools/list (got ${[...byName.keys()]})`);
        assert.ok(typeof t.title === "string" && t.title.length > 0, `${name}: no title`);
        assert.ok(
          typeof t.description === "string" && t.description.length >= 40,
          `${name}: description missing or too short for an LLM`,
        );
        assert.equal(t.inputSchema?.type, "object", `${name}: inputSchema is not an object schema`);
        assert.equal(t.outputSchema?.type, "object", `${name}: outputSchema is not an object schema`);
        assert.ok(t.annotations && typeof t.annotations === "object", `${name}: no annotations`);
      }
      assert.equal(byName.get("status").annotations.readOnlyHint, true, "status must be readOnlyHint");
      assert.equal(byName.get("cancel").annotations.destructiveHint, true, "cancel must be destructiveHint");
      assert.notEqual(byName.get("enqueue").annotations.readOnlyHint, true, "enqueue is not read-only");
      assert.equal(
        byName.get("enqueue").inputSchema.properties?.command?.type,
        "array",
        "enqueue.command must be an array (argv)",
      );
      assert.ok(byName.get("enqueue").inputSchema.required?.includes("command"), "enqueue requires command");
      assert.ok(byName.get("chain").inputSchema.properties?.steps, "chain takes steps");
    });

    test("enqueue /bin/echo -> status(wait_seconds) -> succeeded with its output", async () => {
      const e = await enqueue(client, { command: ["/bin/echo", "hello"] });
      seen.set(e.job_id, { what: "echo hello", state: "succeeded" });
      const [lean] = await status(client, { job_id: e.job_id, wait_seconds: 30 });
      assert.equal(lean.job_id, e.job_id);
      assert.equal(lean.state, "succeeded", JSON.stringify(lean));
      assert.equal(lean.stdout_tail, "hello\n");
      const [job] = await status(client, { job_id: e.job_id, verbose: true });
      assert.equal(job.state, "succeeded", JSON.stringify(job));
      assert.equal(job.exit_code, 0);
      assert.deepEqual(job.command, ["/bin/echo", "hello"]);
      assert.match(job.stdout_tail ?? "", /hello/);
      assert.ok(job.started_at && job.finished_at, "a finished job has started_at and finished_at");
      assert.ok(Date.parse(job.finished_at) >= Date.parse(job.started_at));
      assert.ok(job.attempt >= 1);
    });

    test("a failing command ends failed with its exit code and stderr", async () => {
      const e = await enqueue(client, { command: ["/bin/ls", "/nonexistent-baton-test-path"] });
      const [job] = await status(client, { job_id: e.job_id, wait_seconds: 30 });
      seen.set(e.job_id, { what: "failing ls", state: job.state });
      assert.ok(job.state === "failed" || job.state === "dead", `expected failed/dead, got ${JSON.stringify(job)}`);
      assert.equal(job.exit_code, 2, "ls exits 2 on a missing path");
      assert.match(
        job.stderr_tail ?? "",
        /nonexistent-baton-test-path/,
        "stderr_tail holds what the command wrote to stderr",
      );
    });

    test("enqueue passes stdin, env and cwd to the command", async () => {
      const a = await enqueue(client, { command: ["/bin/cat"], stdin: "from stdin\n" });
      const b = await enqueue(client, { command: ["/usr/bin/env"], env: { BATON_TEST_VAR: "v-42" } });
      const c = await enqueue(client, { command: ["/bin/pwd"], cwd: "/usr" });
      const jobs = await waitTerminal(client, [a.job_id, b.job_id, c.job_id]);
      for (const [id, w] of [
        [a.job_id, "cat stdin"],
        [b.job_id, "env"],
        [c.job_id, "pwd"],
      ])
        seen.set(id, { what: w, state: "succeeded" });
      assert.equal(jobs.get(a.job_id).state, "succeeded");
      assert.match(jobs.get(a.job_id).stdout_tail, /from stdin/);
      assert.match(jobs.get(b.job_id).stdout_tail, /^BATON_TEST_VAR=v-42$/m);
      assert.match(
        jobs.get(b.job_id).stdout_tail,
        new RegExp(`^BATON_JOB_ID=${b.job_id}$`, "m"),
        "every job gets BATON_JOB_ID",
      );
      assert.equal(jobs.get(c.job_id).stdout_tail.trim(), "/usr");
    });

    test("chain passes output: {{prev.stdout}}, {{prev.exit_code}}, stdin placeholders, BATON_PREV_OUTPUT_FILE", async () => {
      const r = await callOk(client, "chain", {
        steps: [
          { command: ["/bin/echo", "42"] },
          { command: ["/bin/echo", "got {{prev.stdout}} exit {{prev.exit_code}}"] },
          { command: ["/bin/cat"], stdin: "via stdin: {{prev.stdout}} (job {{prev.job_id}})" },
          { command: ["/usr/bin/env"] },
        ],
      });
      assert.ok(
        Array.isArray(r.job_ids) && r.job_ids.length === 4,
        `chain must return 4 job ids: ${JSON.stringify(r)}`,
      );
      assert.equal(typeof r.chain_id, "number");
      const [s1, s2, s3, s4] = r.job_ids;
      const jobs = await waitTerminal(client, r.job_ids, { verbose: true });
      for (const id of r.job_ids) {
        assert.equal(jobs.get(id).state, "succeeded", JSON.stringify(jobs.get(id)));
        assert.equal(jobs.get(id).chain_id, r.chain_id, "each step's view names its chain");
        seen.set(id, { what: "chain step", state: "succeeded" });
      }
      assert.equal(jobs.get(s1).stdout_tail, "42\n");
      assert.equal(
        jobs.get(s2).stdout_tail,
        "got 42 exit 0\n",
        "{{prev.stdout}} (trailing newline trimmed) and {{prev.exit_code}}",
      );
      assert.equal(jobs.get(s3).stdout_tail, `via stdin: got 42 exit 0 (job ${s2})`);
      // Steps run one after another.
      assert.ok(Date.parse(jobs.get(s2).started_at) >= Date.parse(jobs.get(s1).finished_at));
      const env = jobs.get(s4).stdout_tail;
      const m = env.match(/^BATON_PREV_OUTPUT_FILE=(.+)$/m);
      assert.ok(m, `BATON_PREV_OUTPUT_FILE not in the env of a chained step:\n${env}`);
      assert.equal(
        readFileSync(m[1], "utf8"),
        `via stdin: got 42 exit 0 (job ${s2})`,
        "BATON_PREV_OUTPUT_FILE holds the predecessor's stdout",
      );
      assert.match(env, new RegExp(`^BATON_JOB_ID=${s4}$`, "m"));
    });

    test("chain: a failed step skips the steps after it; after= attaches to an existing job", async () => {
      const first = await enqueue(client, { command: ["/bin/false"] });
      const r = await callOk(client, "chain", {
        after: first.job_id,
        steps: [{ command: ["/bin/echo", "never"] }, { command: ["/bin/echo", "never either"] }],
      });
      assert.equal(r.job_ids.length, 2);
      const jobs = await waitTerminal(client, [first.job_id, ...r.job_ids]);
      assert.ok(["failed", "dead"].includes(jobs.get(first.job_id).state));
      for (const id of r.job_ids) {
        assert.equal(jobs.get(id).state, "skipped", `step after a failure: ${JSON.stringify(jobs.get(id))}`);
        assert.equal(jobs.get(id).stdout_tail ?? "", "", "a skipped step never ran");
        seen.set(id, { what: "skipped step", state: "skipped" });
      }
      seen.set(first.job_id, { what: "/bin/false", state: jobs.get(first.job_id).state });

      const ok = await enqueue(client, { command: ["/bin/echo", "base"] });
      const r2 = await callOk(client, "chain", {
        after: ok.job_id,
        steps: [{ command: ["/bin/echo", "after {{prev.stdout}}"] }],
      });
      const jobs2 = await waitTerminal(client, [ok.job_id, ...r2.job_ids]);
      assert.equal(jobs2.get(r2.job_ids[0]).stdout_tail, "after base\n");
      seen.set(ok.job_id, { what: "base", state: "succeeded" });
      seen.set(r2.job_ids[0], { what: "after base", state: "succeeded" });
    });

    test("job spec: retry until dead, timeout_seconds, run_at, depends_on conditions", async () => {
      const retried = await enqueue(client, {
        command: ["/bin/ls", "/nonexistent-baton-retry"],
        retry: { max_attempts: 2, initial_delay: 0.2, jitter: "none" },
      });
      const timed = await enqueue(client, { command: ["sleep", "30"], timeout_seconds: 1 });
      const runAt = new Date(Date.now() + 2000).toISOString();
      const later = await enqueue(client, { command: ["/bin/echo", "on time"], run_at: runAt });
      assert.ok(["pending", "queued"].includes(later.state), `a future run_at starts pending/queued: ${later.state}`);
      const always = await enqueue(client, {
        command: ["/bin/echo", "ran anyway"],
        depends_on: [{ job: retried.job_id, condition: "always" }],
      });
      const onFailure = await enqueue(client, {
        command: ["/bin/echo", "cleanup"],
        depends_on: [{ job: retried.job_id, condition: "failure" }],
      });
      const onSuccess = await enqueue(client, { command: ["/bin/echo", "never"], depends_on: [retried.job_id] });
      const ids = [retried, timed, later, always, onFailure, onSuccess].map((e) => e.job_id);
      const jobs = await waitTerminal(client, ids, { verbose: true });

      const r = jobs.get(retried.job_id);
      assert.equal(r.state, "dead", `retries exhausted -> dead: ${JSON.stringify(r)}`);
      assert.equal(r.attempt, 2);
      assert.equal(r.max_attempts, 2);
      const t = jobs.get(timed.job_id);
      assert.ok(["failed", "dead"].includes(t.state), JSON.stringify(t));
      assert.match(`${t.error ?? ""}`, /time/i, `the error says it timed out: ${JSON.stringify(t)}`);
      assert.ok(t.duration_ms < 10000, `timeout_seconds: 1 but ran ${t.duration_ms} ms`);
      const l = jobs.get(later.job_id);
      assert.equal(l.state, "succeeded");
      assert.ok(Date.parse(l.started_at) >= Date.parse(runAt) - 50, `started ${l.started_at} before run_at ${runAt}`);
      assert.equal(jobs.get(always.job_id).state, "succeeded", "condition always runs after a failure");
      assert.equal(jobs.get(onFailure.job_id).state, "succeeded", "condition failure runs after a failure");
      assert.equal(jobs.get(onSuccess.job_id).state, "skipped", "a success edge after a failure is skipped");
      for (const id of ids) seen.set(id, { what: "job spec", state: jobs.get(id).state });
    });

    test("chain: {{steps.NAME.stdout}}, after_condition failure", async () => {
      const r = await callOk(client, "chain", {
        steps: [
          { name: "build", command: ["/bin/echo", "artifact-7"] },
          { command: ["/bin/echo", "middle"] },
          { command: ["/bin/echo", "built {{steps.build.stdout}} then {{prev.stdout}}"] },
        ],
      });
      const failing = await enqueue(client, { command: ["/bin/false"] });
      const r2 = await callOk(client, "chain", {
        after: failing.job_id,
        after_condition: "failure",
        steps: [{ command: ["/bin/echo", "handled exit {{prev.exit_code}}"] }],
      });
      const jobs = await waitTerminal(client, [...r.job_ids, failing.job_id, ...r2.job_ids]);
      assert.equal(jobs.get(r.job_ids[2]).stdout_tail, "built artifact-7 then middle\n");
      assert.equal(jobs.get(r2.job_ids[0]).state, "succeeded", "after_condition failure runs after a failure");
      assert.equal(jobs.get(r2.job_ids[0]).stdout_tail, "handled exit 1\n");
      for (const [id, j] of jobs) seen.set(id, { what: "chain names", state: j.state });
    });

    test("cancel of a running sleep: state cancelled, the process is really gone, dependents cascade", async () => {
      const e = await enqueue(client, { command: ["sleep", "60"] });
      const dep = await enqueue(client, { command: ["/bin/echo", "depends"], depends_on: [e.job_id] });
      const job = await eventually(
        "the sleep to run with a pid",
        async () => {
          const [j] = await status(client, { job_id: e.job_id, verbose: true });
          assert.ok(!TERMINAL.has(j.state), `sleep ended early: ${JSON.stringify(j)}`);
          return j.state === "running" && j.pid ? j : null;
        },
        { timeoutMs: 15000 },
      );
      const pid = job.pid;
      assert.equal(typeof pid, "number");
      const argv = procCmdline(pid);
      assert.ok(argv, `pid ${pid} from status is not a live process`);
      assert.deepEqual(argv, ["sleep", "60"], `pid ${pid} is not the sleep: ${argv}`);
      const [d0] = await status(client, { job_id: dep.job_id });
      assert.equal(d0.state, "pending", "a job waiting on a running job is pending");

      const c = await callOk(client, "cancel", { job_id: e.job_id, reason: "client test" });
      assert.equal(c.job_id, e.job_id);
      assert.ok(typeof c.state === "string");
      assert.ok(Array.isArray(c.cascaded), `cancel result lacks cascaded[]: ${JSON.stringify(c)}`);
      assert.ok(
        c.cascaded.includes(dep.job_id),
        `dependent ${dep.job_id} not in cascaded ${JSON.stringify(c.cascaded)}`,
      );

      const [after] = await status(client, { job_id: e.job_id, wait_seconds: 30 });
      assert.equal(after.state, "cancelled", JSON.stringify(after));
      await eventually(`sleep pid ${pid} to be gone (reaped, not a zombie)`, () => procState(pid) === null, {
        timeoutMs: 15000,
      });
      const [d1] = await status(client, { job_id: dep.job_id, wait_seconds: 10 });
      assert.ok(["cancelled", "skipped"].includes(d1.state), `dependent after cascade: ${JSON.stringify(d1)}`);
      seen.set(e.job_id, { what: "cancelled sleep", state: "cancelled" });
      seen.set(dep.job_id, { what: "cascaded dependent", state: d1.state });

      const msg = await callToolError(client, "cancel", { job_id: e.job_id });
      assert.match(msg, /cancel|finished|terminal|already/i, "the error says why");
    });

    test("cancel kills the job's whole process group: a child of the job dies too", async () => {
      // xargs forks `sleep 61` and waits for it (no shell needed): killing only xargs would
      // orphan the sleep.
      const e = await enqueue(client, { command: ["/usr/bin/xargs", "sleep"], stdin: "61\n" });
      const job = await eventually(
        "xargs to run with a pid",
        async () => {
          const [j] = await status(client, { job_id: e.job_id, verbose: true });
          assert.ok(!TERMINAL.has(j.state), `xargs ended early: ${JSON.stringify(j)}`);
          return j.state === "running" && j.pid ? j : null;
        },
        { timeoutMs: 15000 },
      );
      const child = await eventually("xargs to start sleep 61", () =>
        procChildren(job.pid).find((p) => procCmdline(p)?.join(" ") === "sleep 61"),
      );
      await callOk(client, "cancel", { job_id: e.job_id });
      const [after] = await status(client, { job_id: e.job_id, wait_seconds: 30 });
      assert.equal(after.state, "cancelled", JSON.stringify(after));
      await eventually(
        `job pid ${job.pid} and its child ${child} to be gone`,
        () => {
          return procState(job.pid) === null && procState(child) === null;
        },
        { timeoutMs: 15000 },
      );
      seen.set(e.job_id, { what: "cancelled xargs", state: "cancelled" });
    });

    test("cancel of a queued (delayed) job removes it without running it", async () => {
      const e = await enqueue(client, { command: ["/bin/echo", "too late"], delay_seconds: 3600 });
      assert.ok(["pending", "queued"].includes(e.state), `a delayed job starts pending/queued, got ${e.state}`);
      const c = await callOk(client, "cancel", { job_id: e.job_id, cascade: false });
      assert.equal(c.state, "cancelled");
      const [j] = await status(client, { job_id: e.job_id, verbose: true });
      assert.equal(j.state, "cancelled");
      assert.equal(j.started_at, undefined, "a cancelled queued job never started");
      seen.set(e.job_id, { what: "cancelled delayed", state: "cancelled" });
    });

    test("tool errors: unknown job, bad arguments (isError with a message naming the field)", async () => {
      await callToolError(client, "status", { job_id: 987654321 });
      await callToolError(client, "cancel", { job_id: 987654321 });
      const msg = await callToolError(client, "enqueue", { command: "echo not-an-array" });
      assert.match(msg, /command/, "the validation error names the field");
      await callToolError(client, "enqueue", { command: [] });
    });

    test("idempotency_key: a second enqueue returns the same job with existed=true", async () => {
      const key = `idem-${process.pid}-${Date.now()}`;
      const a = await enqueue(client, { command: ["/bin/echo", "once"], idempotency_key: key });
      const b = await enqueue(client, { command: ["/bin/echo", "once"], idempotency_key: key });
      assert.equal(b.job_id, a.job_id);
      assert.equal(b.existed, true);
      seen.set(a.job_id, { what: "idempotent", state: "succeeded" });
    });

    test("progress: status wait_seconds on a ~3 s job returns when it is done; progress values increase", async () => {
      const e = await enqueue(client, { command: ["sleep", "3"] });
      const progress = [];
      const t0 = Date.now();
      const res = await client.callTool(
        { name: "status", arguments: { job_id: e.job_id, wait_seconds: 30 } },
        undefined,
        { onprogress: (p) => progress.push(p), resetTimeoutOnProgress: true, timeout: 20000, maxTotalTimeout: 60000 },
      );
      const elapsed = Date.now() - t0;
      assert.notEqual(res.isError, true, JSON.stringify(res));
      const job = res.structuredContent; // one job_id: the job's view itself
      assert.equal(job.state, "succeeded", `status(wait) must return once the job is terminal: ${JSON.stringify(job)}`);
      assert.ok(elapsed >= 1500, `status returned after ${elapsed} ms: it did not wait for the 3 s job`);
      assert.ok(elapsed < 25000, `status returned ${elapsed} ms after a 3 s job`);
      for (let i = 1; i < progress.length; i++) {
        assert.ok(
          progress[i].progress > progress[i - 1].progress,
          `progress not increasing: ${JSON.stringify(progress)}`,
        );
      }
      for (const p of progress) {
        if (p.total !== undefined) assert.ok(p.progress <= p.total, JSON.stringify(p));
      }
      seen.set(e.job_id, { what: "sleep 3", state: "succeeded" });
    });

    test("progress keeps a long wait alive: a 12 s job outlasts an 11.5 s request timeout", async () => {
      // The server sends notifications/progress at least every 10 s while status waits and the
      // client sent a progressToken; with resetTimeoutOnProgress the SDK then never times out.
      const e = await enqueue(client, { command: ["sleep", "12"] });
      const progress = [];
      const res = await client.callTool(
        { name: "status", arguments: { job_id: e.job_id, wait_seconds: 60 } },
        undefined,
        {
          onprogress: (p) => progress.push(p),
          resetTimeoutOnProgress: true,
          timeout: 11500,
          maxTotalTimeout: 60000,
        },
      );
      assert.ok(progress.length >= 1, "no progress notification during a 12 s wait");
      for (let i = 1; i < progress.length; i++) assert.ok(progress[i].progress > progress[i - 1].progress);
      assert.equal(res.structuredContent.state, "succeeded");
      seen.set(e.job_id, { what: "sleep 12", state: "succeeded" });
    });

    test("status of each job seen, one call with job_ids", async () => {
      const ids = [...seen.keys()];
      assert.ok(ids.length >= 10);
      // One call; it waits for the few not yet finished (e.g. the idempotent echo nobody waited on).
      const jobs = await status(client, { job_ids: ids, wait_seconds: 60 });
      assert.equal(jobs.length, ids.length);
      for (const j of jobs) {
        const want = seen.get(j.job_id);
        assert.ok(want, `status returned unknown job ${j.job_id}`);
        assert.equal(j.state, want.state, `${want.what} (job ${j.job_id})`);
        assert.ok(TERMINAL.has(j.state));
      }
    });

    test("a job outlives the client that enqueued it", async () => {
      const other = await served.connect("short-lived");
      const e = await enqueue(other.client, { command: ["sleep", "2"] });
      const pid = other.transport.pid; // stdio: the front-end process
      await other.close();
      if (pid)
        await eventually("the first front-end to exit", () => procState(pid) === null || procState(pid) === "Z", {
          timeoutMs: 10000,
        });
      const again = await served.connect("later");
      try {
        const [j] = await status(again.client, { job_id: e.job_id, wait_seconds: 30 });
        assert.equal(j.state, "succeeded", JSON.stringify(j));
      } finally {
        await again.close();
      }
    });
  });
}
