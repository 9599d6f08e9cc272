// MCP tasks backed by durable jobs, driven over stdio by real clients:
//  - 2025-11-25 core tasks with the official SDK 1.32.2 experimental tasks API
//    (client.experimental.tasks: callToolStream with a task, getTask, getTaskResult, listTasks,
//    cancelTask);
//  - the 2026-07-28 tasks extension with @modelcontextprotocol/ext-tasks (withTasks over a raw
//    2026-07-28 connection: callTool answered with a task, settle, cancel, and resumeTask on a new
//    front-end after the first was killed).
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";

import { resultFromTaskOutcome, withTasks } from "@modelcontextprotocol/ext-tasks/client";
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  TaskStatusNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";

import { connectStdio, eventually, makeTmp, TERMINAL, withTimeout } from "./lib/harness.mjs";
import { RawStdio, tasksPort } from "./lib/raw_stdio.mjs";

const sh = (script) => ({ command: ["sh", "-c", script] });

describe("2025-11-25 core tasks with the MCP TypeScript SDK (experimental tasks API)", () => {
  const tmp = makeTmp("tasks-core");
  after(() => tmp.cleanup());

  test("capabilities, taskSupport, a task-augmented call, tasks/get, tasks/result, tasks/list", async () => {
    const { client } = await connectStdio(tmp, { name: "sdk-tasks" });
    const statusNotes = [];
    client.setNotificationHandler(TaskStatusNotificationSchema, (n) => statusNotes.push(n.params));
    try {
      const caps = client.getServerCapabilities();
      assert.deepEqual(caps.tasks, { list: {}, cancel: {}, requests: { tools: { call: {} } } });
      const { tools } = await client.listTools();
      const support = Object.fromEntries(tools.map((t) => [t.name, t.execution?.taskSupport]));
      assert.equal(support.enqueue, "optional");
      assert.equal(support.status, "optional");
      assert.equal(support.chain, "optional");
      assert.equal(support.cancel, undefined, "cancel cannot be a task");

      const seen = [];
      let taskId;
      for await (const msg of client.experimental.tasks.callToolStream(
        { name: "enqueue", arguments: sh("sleep 1; echo built") },
        undefined,
        { task: { ttl: 60000 } },
      )) {
        seen.push(msg.type);
        if (msg.type === "taskCreated") {
          taskId = msg.task.taskId;
          assert.match(taskId, /^[0-9a-f]{32}$/, "128 random bits");
          assert.equal(msg.task.status, "working");
          assert.equal(msg.task.ttl, 3600000, "a ttl below one hour is raised to one hour");
        }
        if (msg.type === "error") assert.fail(`stream error: ${msg.error}`);
        if (msg.type === "result") {
          const job = msg.result.structuredContent;
          assert.equal(job.state, "succeeded");
          assert.match(job.stdout_tail, /built/);
          assert.equal(msg.result.isError, false);
        }
      }
      assert.deepEqual([seen[0], seen.at(-1)], ["taskCreated", "result"]);
      assert.ok(seen.includes("taskStatus"));

      // notifications/tasks/status: the session that created the task hears that it ended.
      await eventually("notifications/tasks/status", () =>
        statusNotes.some((n) => n.taskId === taskId && n.status === "completed"));
      const task = await client.experimental.tasks.getTask(taskId);
      assert.equal(task.status, "completed");
      assert.match(task.statusMessage, /^job \d+ succeeded$/);
      const again = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
      assert.equal(again.structuredContent.state, "succeeded");
      assert.equal(again._meta["io.modelcontextprotocol/related-task"].taskId, taskId);

      const { tasks } = await client.experimental.tasks.listTasks();
      assert.ok(tasks.some((t) => t.taskId === taskId && t.status === "completed"));

      await assert.rejects(client.experimental.tasks.getTask("0".repeat(32)), (e) => e.code === -32602);
      await assert.rejects(client.experimental.tasks.cancelTask(taskId), (e) => e.code === -32602,
        "a finished task cannot be cancelled");
    } finally {
      await client.close();
    }
  });

  test("tasks/result blocks until the job ends; tasks/cancel cancels the job", async () => {
    const { client } = await connectStdio(tmp, { name: "sdk-tasks-cancel" });
    try {
      const created = await client.request(
        { method: "tools/call", params: { name: "chain", arguments: { steps: [sh("sleep 1"), sh("echo second")] }, task: {} } },
        CreateTaskResultSchema,
      );
      const result = await client.experimental.tasks.getTaskResult(created.task.taskId, CallToolResultSchema);
      assert.deepEqual(result.structuredContent.jobs.map((j) => j.state), ["succeeded", "succeeded"]);

      let cancelledId;
      for await (const msg of client.experimental.tasks.callToolStream(
        { name: "enqueue", arguments: sh("sleep 60") },
        undefined,
        { task: {} },
      )) {
        if (msg.type === "taskCreated") {
          cancelledId = msg.task.taskId;
          const c = await client.experimental.tasks.cancelTask(cancelledId);
          assert.equal(c.status, "cancelled");
        }
        if (msg.type === "error") assert.match(String(msg.error.message), /cancelled/);
        if (msg.type === "result") assert.fail("a cancelled task has no result stream");
      }
      const t = await client.experimental.tasks.getTask(cancelledId);
      assert.equal(t.status, "cancelled");
      // The job itself is stopped: its process group gets SIGTERM and it ends cancelled.
      const res = await client.callTool({ name: "jobs", arguments: { limit: 1 } });
      const jobId = res.structuredContent.jobs[0].job_id;
      await eventually("the cancelled job to end", async () => {
        const s = await client.callTool({ name: "status", arguments: { job_id: jobId } });
        return s.structuredContent.state === "cancelled";
      }, { timeoutMs: 20000 });
    } finally {
      await client.close();
    }
  });

  test("a plain tools/call (no task) behaves as before", async () => {
    const { client } = await connectStdio(tmp, { name: "sdk-plain" });
    try {
      const r = await client.callTool({ name: "enqueue", arguments: { ...sh("echo plain"), wait: true } });
      assert.equal(r.structuredContent.state, "succeeded");
      assert.match(r.structuredContent.stdout_tail, /plain/);
      assert.equal(r.structuredContent.timed_out, undefined, "the wait saw the end (waited_ms only when it ran out)");
    } finally {
      await client.close();
    }
  });
});

describe("2026-07-28 tasks extension with @modelcontextprotocol/ext-tasks", () => {
  const tmp = makeTmp("tasks-ext");
  after(() => tmp.cleanup());

  test("server/discover declares the extension; without it the same calls wait inline", async () => {
    const conn = new RawStdio(tmp);
    try {
      const d = await conn.modern("server/discover");
      assert.deepEqual(d.result.capabilities.extensions, { "io.modelcontextprotocol/tasks": {} });
      const r = await conn.modern(
        "tools/call",
        { name: "enqueue", arguments: { ...sh("echo inline"), wait: true } },
        { capabilities: {} },
      );
      assert.equal(r.result.resultType, "complete");
      assert.equal(r.result.structuredContent.state, "succeeded");
      const g = await conn.modern("tasks/get", { taskId: "x" }, { capabilities: {} });
      assert.equal(g.error.code, -32021, "tasks/get needs the extension declared");
      // A call that would not wait is answered as usual even with the extension.
      const s = await conn.modern("tools/call", { name: "status", arguments: { job_id: r.result.structuredContent.job_id } });
      assert.equal(s.result.resultType, "complete");
    } finally {
      await conn.close();
    }
  });

  test("status with a wait becomes a task; settle gives the status result", async () => {
    const conn = new RawStdio(tmp);
    const session = withTasks(tasksPort(conn, "baton-ext"));
    try {
      const enq = await session.callTool("enqueue", sh("sleep 2; echo from-task"));
      assert.equal(enq.kind, "immediate");
      const jobId = resultFromTaskOutcome(await enq.result()).structuredContent.job_id;

      const raw = await conn.modern("tools/call", { name: "status", arguments: { job_id: jobId, wait_seconds: 60 } });
      assert.equal(raw.result.resultType, "task");
      assert.equal(raw.result.status, "working");
      assert.ok(raw.result.pollIntervalMs >= 1000);
      assert.match(raw.result.taskId, /^[0-9a-f]{32}$/);

      const exec = await session.callTool("status", { job_id: jobId, wait_seconds: 60 });
      assert.equal(exec.kind, "task");
      const { outcome } = await exec.settle();
      assert.equal(outcome.status, "completed");
      const job = outcome.result.structuredContent;
      assert.equal(job.state, "succeeded");
      assert.match(job.stdout_tail, /from-task/);

      const done = await conn.modern("tasks/get", { taskId: raw.result.taskId });
      assert.equal(done.result.status, "completed");
      assert.equal(done.result.resultType, "complete");
      assert.equal(done.result.result.structuredContent.state, "succeeded");
      const unknown = await conn.modern("tasks/get", { taskId: "f".repeat(32) });
      assert.equal(unknown.error.code, -32602);
    } finally {
      await session.close();
      await conn.close();
    }
  });

  test("tasks/cancel cancels the job", async () => {
    const conn = new RawStdio(tmp);
    const session = withTasks(tasksPort(conn, "baton-ext"));
    try {
      const exec = await session.callTool("enqueue", { ...sh("sleep 60"), wait: true });
      assert.equal(exec.kind, "task");
      const taskId = exec.handle.taskId;
      await exec.cancel();
      const t = await conn.modern("tasks/get", { taskId });
      assert.equal(t.result.status, "cancelled");
      await eventually("the job to be cancelled", async () => {
        const r = await conn.modern("tools/call", { name: "jobs", arguments: { limit: 1 } });
        const row = r.result.structuredContent.jobs[0];
        return row.state === "cancelled";
      }, { timeoutMs: 20000 });
    } finally {
      await session.close();
      await conn.close();
    }
  });

  test("notifications/tasks reach a subscriptions/listen stream that names the task", async () => {
    const conn = new RawStdio(tmp);
    try {
      const t = await conn.modern("tools/call", {
        name: "enqueue",
        arguments: { ...sh("sleep 1; echo pushed"), wait: true },
      });
      const taskId = t.result.taskId;
      const on = (pred) => new Promise((resolve) => conn.listeners.add((m) => pred(m) && resolve(m)));
      const acked = on((m) => m.method === "notifications/subscriptions/acknowledged");
      const pushed = on((m) => m.method === "notifications/tasks" && m.params.status === "completed");
      conn.modern("subscriptions/listen", { notifications: { taskIds: [taskId, "f".repeat(32)] } });
      const ack = await withTimeout(acked, 10000, "the listen acknowledgement");
      assert.deepEqual(ack.params.notifications.taskIds, [taskId], "only real tasks of ours are honored");
      const n = await withTimeout(pushed, 20000, "notifications/tasks for the completed task");
      assert.equal(n.params.taskId, taskId);
      assert.equal(n.params.result.structuredContent.state, "succeeded");
      assert.match(n.params.result.structuredContent.stdout_tail, /pushed/);
      assert.ok(n.params._meta["io.modelcontextprotocol/subscriptionId"] !== undefined);
    } finally {
      await conn.close();
    }
  });

  test("the task survives its front-end: resumeTask on a new process over the same database", async () => {
    const first = new RawStdio(tmp);
    const s1 = withTasks(tasksPort(first, "baton-ext"));
    const exec = await s1.callTool("chain", { steps: [sh("sleep 2"), sh("echo after-restart")], wait: true });
    assert.equal(exec.kind, "task");
    const reference = exec.serializeReference();
    await exec.detach();
    // The front-end dies (SIGKILL) with the task in flight. (Closing the ext-tasks session first
    // would send tasks/cancel, even after detach(): that is the package's choice, not a crash.)
    await first.kill("SIGKILL");
    await s1.close().catch(() => {});

    const second = new RawStdio(tmp);
    const s2 = withTasks(tasksPort(second, "baton-ext"));
    try {
      const got = await second.modern("tasks/get", { taskId: reference.taskId });
      assert.ok(["working", "completed"].includes(got.result.status), JSON.stringify(got));
      const resumed = await s2.resumeTask(reference);
      const { outcome } = await resumed.settle();
      assert.equal(outcome.status, "completed");
      const jobs = outcome.result.structuredContent.jobs;
      assert.deepEqual(jobs.map((j) => j.state), ["succeeded", "succeeded"]);
      assert.match(jobs[1].stdout_tail, /after-restart/);
      for (const j of jobs) assert.ok(TERMINAL.has(j.state));
    } finally {
      await s2.close();
      await second.close();
    }
  });
});
