// A raw newline-delimited JSON-RPC connection to `baton serve --stdio` (no SDK), for what the
// SDK client cannot do itself: 2026-07-28 requests with per-request `_meta`, and a front-end
// killed and started again on the same database.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

import { batonBin } from "./harness.mjs";

export const MODERN = "2026-07-28";
export const TASKS_EXTENSION = "io.modelcontextprotocol/tasks";

export class RawStdio {
  constructor(tmp, { extraArgs = [] } = {}) {
    this.proc = spawn(batonBin(), ["serve", "--stdio", "--db", tmp.db, ...extraArgs], {
      env: tmp.env,
      cwd: tmp.dir,
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.nextId = 1;
    this.pending = new Map();
    this.notifications = [];
    this.listeners = new Set();
    this.stderr = "";
    this.exited = new Promise((resolve) => this.proc.on("exit", (code, signal) => resolve({ code, signal })));
    this.proc.stderr.on("data", (d) => (this.stderr += d.toString()));
    createInterface({ input: this.proc.stdout }).on("line", (line) => this.onLine(line));
    this.proc.on("exit", () => {
      for (const { reject } of this.pending.values()) reject(new Error("baton exited"));
      this.pending.clear();
    });
  }

  onLine(line) {
    const msg = JSON.parse(line);  // stdout carries JSON-RPC only: a bad line fails the test
    if (msg.id !== undefined && !msg.method && this.pending.has(msg.id)) {
      this.pending.get(msg.id).resolve(msg);
      this.pending.delete(msg.id);
      return;
    }
    this.notifications.push(msg);
    for (const l of this.listeners) l(msg);
  }

  // Sends {method, params} with a fresh id; resolves with the whole response message.
  send(message) {
    const id = this.nextId++;
    const full = { jsonrpc: "2.0", id, ...message };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.proc.stdin.write(JSON.stringify(full) + "\n");
    });
  }

  // A 2026-07-28 request: `_meta` carries the version and the client's capabilities.
  modern(method, params = {}, { capabilities = { extensions: { [TASKS_EXTENSION]: {} } } } = {}) {
    return this.send({
      method,
      params: {
        ...params,
        _meta: {
          ...(params._meta ?? {}),
          "io.modelcontextprotocol/protocolVersion": MODERN,
          "io.modelcontextprotocol/clientInfo": { name: "raw-modern", version: "0" },
          "io.modelcontextprotocol/clientCapabilities": capabilities,
        },
      },
    });
  }

  kill(signal = "SIGKILL") {
    this.proc.kill(signal);
    return this.exited;
  }

  async close() {
    this.proc.stdin.end();
    const t = setTimeout(() => this.proc.kill("SIGKILL"), 10000);
    await this.exited;
    clearTimeout(t);
  }
}

// An ext-tasks ConnectedMcpSessionPort (the package's documented custom-port seam) over a
// RawStdio connection: every request is framed as 2026-07-28 with the tasks extension declared.
export function tasksPort(conn, endpointId) {
  const listeners = new Set();
  conn.listeners.add((msg) => {
    if (msg.method) for (const l of listeners) l(msg);
  });
  return {
    endpointId,
    taskCapabilities: { generation: "v2", capabilities: {} },
    async dispatch(request) {
      const response = await conn.modern(request.method, request.params ?? {});
      return response.error ? { kind: "error", error: response.error } : { kind: "result", result: response.result };
    },
    onServerRequest: () => () => {},
    onNotification(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onInvalidated: () => () => {},
    get invalidated() {
      return conn.proc.exitCode !== null || conn.proc.signalCode !== null;
    },
  };
}
