// MCP tasks backed by durable jobs over Streamable HTTP (`baton serve --http`), the shared-service
// case: the official SDK 1.32.2 experimental tasks API on a 2025-11-25 session, and
// @modelcontextprotocol/ext-tasks over stateless 2026-07-28 POSTs, including a task created
// before the service restarted and settled after.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";

import { withTasks } from "@modelcontextprotocol/ext-tasks/client";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";

import { connectHttp, eventually, makeTmp, startHttp } from "./lib/harness.mjs";
import { MODERN, TASKS_EXTENSION } from "./lib/raw_stdio.mjs";

const sh = (script) => ({ command: ["sh", "-c", script] });

// One stateless 2026-07-28 request: headers mirror the body (MCP-Protocol-Version, Mcp-Method,
// Mcp-Name), `_meta` declares the tasks extension. Returns the JSON-RPC response message.
async function modernPost(url, method, params = {}, { id = 1 } = {}) {
  const body = {
    jsonrpc: "2.0",
    id,
    method,
    params: {
      ...params,
      _meta: {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientInfo": { name: "raw-http-modern", version: "0" },
        "io.modelcontextprotocol/clientCapabilities": { extensions: { [TASKS_EXTENSION]: {} } },
      },
    },
  };
  const headers = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": MODERN,
    "mcp-method": method,
  };
  if (method === "tools/call") headers["mcp-name"] = params.name;
  const r = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  const text = await r.text();
  if (!(r.headers.get("content-type") ?? "").includes("text/event-stream")) return JSON.parse(text);
  // An SSE answer: the response is the message that carries our id.
  const messages = text
    .split("\n")
    .filter((l) => l.startsWith("data: "))
    .map((l) => JSON.parse(l.slice(6)));
  return messages.find((m) => m.id === id && !m.method);
}

// An ext-tasks ConnectedMcpSessionPort over stateless HTTP POSTs to `url`.
function httpTasksPort(url, endpointId) {
  let next = 1;
  return {
    endpointId,
    taskCapabilities: { generation: "v2", capabilities: {} },
    async dispatch(request) {
      const response = await modernPost(url, request.method, request.params ?? {}, { id: next++ });
      return response.error ? { kind: "error", error: response.error } : { kind: "result", result: response.result };
    },
    onServerRequest: () => () => {},
    onNotification: () => () => {},
    onInvalidated: () => () => {},
    invalidated: false,
  };
}

describe("2025-11-25 core tasks over Streamable HTTP with the SDK", () => {
  const tmp = makeTmp("tasks-http-core");
  let srv;
  after(async () => {
    await srv?.stop();
    tmp.cleanup();
  });

  test("a task-augmented call, tasks/get, tasks/result and tasks/list on an HTTP session", async () => {
    srv = await startHttp(tmp);
    const conn = await connectHttp(srv.url, { name: "sdk-tasks-http" });
    try {
      assert.deepEqual(conn.client.getServerCapabilities().tasks,
        { list: {}, cancel: {}, requests: { tools: { call: {} } } });
      let taskId;
      const seen = [];
      for await (const msg of conn.client.experimental.tasks.callToolStream(
        { name: "enqueue", arguments: sh("sleep 1; echo over-http") },
        undefined,
        { task: {} },
      )) {
        seen.push(msg.type);
        if (msg.type === "taskCreated") taskId = msg.task.taskId;
        if (msg.type === "error") assert.fail(`stream error: ${msg.error}`);
        if (msg.type === "result") assert.equal(msg.result.structuredContent.state, "succeeded");
      }
      assert.deepEqual([seen[0], seen.at(-1)], ["taskCreated", "result"]);
      const task = await conn.client.experimental.tasks.getTask(taskId);
      assert.equal(task.status, "completed");
      const result = await conn.client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
      assert.match(result.structuredContent.stdout_tail, /over-http/);
      const { tasks } = await conn.client.experimental.tasks.listTasks();
      assert.ok(tasks.some((t) => t.taskId === taskId));
    } finally {
      await conn.close();
    }
  });
});

describe("2026-07-28 tasks extension over stateless HTTP with @modelcontextprotocol/ext-tasks", () => {
  const tmp = makeTmp("tasks-http-ext");
  let srv;
  after(async () => {
    await srv?.stop();
    tmp.cleanup();
  });

  test("status with a wait becomes a task, settles, and cancel stops the job", async () => {
    srv = await startHttp(tmp);
    const session = withTasks(httpTasksPort(srv.url, "baton-http"));
    try {
      const exec = await session.callTool("enqueue", { ...sh("sleep 1; echo settled"), wait: true });
      assert.equal(exec.kind, "task");
      const { outcome } = await exec.settle();
      assert.equal(outcome.status, "completed");
      assert.match(outcome.result.structuredContent.stdout_tail, /settled/);

      const long = await session.callTool("enqueue", { ...sh("sleep 60"), wait: true });
      assert.equal(long.kind, "task");
      await long.cancel();
      const t = await modernPost(srv.url, "tasks/get", { taskId: long.handle.taskId });
      assert.equal(t.result.status, "cancelled");
      await eventually("the cancelled job to end", async () => {
        const r = await modernPost(srv.url, "tools/call", { name: "jobs", arguments: { limit: 1 } });
        return r.result.structuredContent.jobs[0].state === "cancelled";
      }, { timeoutMs: 20000 });
    } finally {
      await session.close();
    }
  });

  test("a task outlives the service: created, service restarted, settled on the new one", async () => {
    srv = await startHttp(tmp);
    const created = await modernPost(srv.url, "tools/call", {
      name: "chain",
      arguments: { steps: [sh("sleep 2"), sh("echo after-restart")], wait: true },
    });
    assert.equal(created.result.resultType, "task", JSON.stringify(created));
    const taskId = created.result.taskId;
    await srv.stop();
    srv = await startHttp(tmp);  // same database; its in-process runner takes the chain over
    const other = await modernPost(srv.url, "tasks/get", { taskId: "f".repeat(32) });
    assert.equal(other.error.code, -32602);
    let last;
    await eventually("the task to complete on the new service", async () => {
      last = await modernPost(srv.url, "tasks/get", { taskId });
      return last.result?.status === "completed";
    }, { timeoutMs: 60000, intervalMs: 500 });
    const jobs = last.result.result.structuredContent.jobs;
    assert.deepEqual(jobs.map((j) => j.state), ["succeeded", "succeeded"]);
    assert.match(jobs[1].stdout_tail, /after-restart/);
  });
});
