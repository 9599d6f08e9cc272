// A real interactive Claude Code session (pinned, in tmux) with baton over stdio, offline: the
// model is a scripted stand-in (lib/model_standin.mjs) that calls baton's tools; every request
// Claude Code sends it is recorded, so the test sees exactly what the model was shown.
//
// Claude Code takes the 2026-07-28 path with baton and declares the tasks extension
// (io.modelcontextprotocol/tasks): a `status` that would wait for a job is answered at once with a
// task handle; Claude Code moves the call to the background, polls tasks/get, and when the job
// ends starts a new turn that carries the task's result.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  lastToolResults,
  lastUserText,
  resultText,
  startClaudeSession,
  tmuxAvailable,
} from "./lib/claude_tmux.mjs";
import { eventually, makeTmp, procCmdline, processesMentioning } from "./lib/harness.mjs";
import { startModelStandIn } from "./lib/model_standin.mjs";

assert.ok(tmuxAvailable(), "tmux is needed to drive Claude Code interactively (apt-get install tmux)");

const JOB_SECONDS = 30;

// The JSON a baton tool answered with, as the model saw it (Claude Code shows structuredContent).
function toolJson(body) {
  const text = toolText(body);
  try {
    return JSON.parse(text);
  } catch {
    assert.fail(`tool_result is not JSON: ${text}`);
  }
}

function toolText(body) {
  const results = lastToolResults(body);
  assert.equal(results.length, 1, `expected one tool_result in the last message: ${JSON.stringify(body.messages.at(-1))}`);
  const text = resultText(results[0]);
  assert.notEqual(results[0].is_error, true, `the tool call failed: ${text}`);
  return text;
}


// Claude Code's notification of a finished background task:
//   <task-notification> <task-id>…</task-id> <status>completed</status>
//   <summary>MCP task ID (baton/status) completed.</summary> <result>JSON</result> </task-notification>
function taskNotification(text) {
  const m = text.match(/<task-notification>([\s\S]*?)<\/task-notification>/);
  if (!m) return null;
  const field = (name) => m[1].match(new RegExp(`<${name}>\\n?([\\s\\S]*?)\\n?</${name}>`))?.[1];
  return { status: field("status"), summary: field("summary"), result: field("result") };
}

describe("Claude Code interactive session (2026-07-28): a status wait becomes a task", () => {
  let tmp;
  let api;
  let cc;
  before(async () => {
    tmp = makeTmp("claude-session");
    api = await startModelStandIn({
      script: [
        // The job computes its output, so the text the model sees later can only come from the run.
        {
          toolUse: {
            name: "mcp__baton__enqueue",
            input: { command: ["sh", "-c", `sleep ${JOB_SECONDS}; echo BATON-$((6*7))`] },
          },
        },
        (body) => ({
          toolUse: { name: "mcp__baton__status", input: { job_id: toolJson(body).job_id, wait_seconds: 90, verbose: true } },
        }),
        { text: "Waiting for the job in the background." },
        (body) => {
          const note = taskNotification(lastUserText(body));
          let job;
          try {
            job = JSON.parse(note?.result ?? ""); // one job_id: the job's view itself
          } catch {}
          return { text: `Job ${job?.job_id} ended ${job?.state}: ${job?.stdout_tail?.trim()}` };
        },
      ],
    });
    cc = await startClaudeSession(tmp, { apiUrl: api.url });
  });
  after(async () => {
    try {
      await cc?.stop();
      await api?.close();
    } finally {
      tmp?.cleanup();
    }
  });

  test("Claude Code connects on the 2026-07-28 path in under 2 s", { timeout: 90000 }, async () => {
    const { ms, transport } = await cc.waitForBaton();
    assert.equal(transport, "stdio");
    const established = await cc.waitForDebug(
      "the connection's capabilities",
      /MCP server "baton": Connection established with capabilities: (\{.*\})/,
      10000,
    );
    const caps = JSON.parse(established[1]);
    assert.equal(caps.negotiatedProtocolVersion, "2026-07-28", established[0]);
    assert.equal(caps.protocolEra, "modern");
    // Claude Code's own measure, from spawning baton to a usable connection: server/discover,
    // tools/list, and subscriptions/listen if the server advertised a listChanged (a listen that
    // is never acknowledged holds the connection for 27 s; baton acknowledges at once, and with no
    // listChanged advertised Claude Code opens none while connecting).
    assert.ok(ms < 2000, `connecting took ${ms} ms\n${cc.diagnostics()}`);
    assert.doesNotMatch(cc.debugLog(), /subscriptions\/listen re-open attempt/, "subscriptions/listen was refused");
  });

  test("the model is offered baton's tools", { timeout: 60000 }, async () => {
    await cc.submit("Run the computation as a background job and tell me what it printed.");
    const first = await api.waitFor("the first main-loop request", () => api.turns[0], 60000);
    for (const tool of ["mcp__baton__enqueue", "mcp__baton__status"])
      assert.ok(JSON.stringify(first.body).includes(tool), `the model was not offered ${tool}`);
  });

  let jobId;
  let handleAt;
  let taskId;
  test("enqueue: the job's id reaches the model", { timeout: 60000 }, async () => {
    const second = await api.waitFor("the request after enqueue", () => api.turns[1], 60000);
    const enq = toolJson(second.body);
    assert.equal(typeof enq.job_id, "number", JSON.stringify(enq));
    assert.match(enq.state, /^(queued|running)$/);
    jobId = enq.job_id;
  });

  test(`status waiting on a ${JOB_SECONDS} s job is answered with a task handle`, { timeout: 60000 }, async () => {
    const third = await api.waitFor("the request after status", () => api.turns[2], 60000);
    handleAt = third.at;
    const text = toolText(third.body);
    // Claude Code's words for a tools/call answered with {resultType: "task", ...}.
    const m = text.match(/started server-side task (\S+?)\.? It was moved to the background/);
    assert.ok(m, `status was not answered with a task handle; the model saw: ${text}\n${cc.diagnostics()}`);
    taskId = m[1];
    assert.match(cc.debugLog(), new RegExp(`Tool 'status' returned task ${escape(taskId)} \\(working\\)`));
  });

  test("when the job ends, the model's next turn carries the job's result", { timeout: 150000 }, async () => {
    assert.ok(taskId, "no task handle came back (see the test before), so no task can complete");
    const fourth = await api.waitFor("the turn Claude Code starts when the task completes", () => api.turns[3], 120000);
    const note = taskNotification(lastUserText(fourth.body));
    assert.ok(note, `no <task-notification> in the new turn: ${lastUserText(fourth.body)}`);
    assert.equal(note.status, "completed");
    assert.ok(note.summary.includes(taskId) && note.summary.includes("baton/status"), note.summary);
    let result;
    try {
      result = JSON.parse(note.result);
    } catch {
      assert.fail(`the task's result is not status's JSON: ${note.result}`);
    }
    const job = result; // one job_id: the job's view itself (verbose: with exit code and times)
    assert.equal(job.job_id, jobId);
    assert.equal(job.state, "succeeded", JSON.stringify(job));
    assert.equal(job.exit_code, 0);
    assert.match(job.stdout_tail, /BATON-42/);
    // The handle came back while the job was still running: the call did not block on it.
    assert.ok(Date.parse(job.finished_at) > handleAt, `job finished at ${job.finished_at}, before the handle`);
    await cc.waitForScreen("the final answer on screen", /Job \d+ ended succeeded: BATON-42/, 30000);
  });

  test("closing Claude Code ends the baton front-end and leaves no process behind", { timeout: 30000 }, async () => {
    await cc.stop();
    // The runner (started on demand, detached by design) may still be idling; the front-end
    // (`serve --stdio`) must be gone with its client.
    await eventually(
      "the baton front-end to exit",
      () => !processesMentioning(tmp.db).some((pid) => (procCmdline(pid) ?? []).includes("serve")),
      { timeoutMs: 10000 },
    );
  });
});

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
