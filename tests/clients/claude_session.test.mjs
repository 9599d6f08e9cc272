// A real interactive Claude Code session (pinned, in tmux) with baton over stdio, offline: the
// model is a scripted stand-in (lib/model_standin.mjs) that calls baton's tools; every request
// Claude Code sends it is recorded, so the test sees exactly what the model was shown.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { startClaudeSession, lastToolResults, resultText, tmuxAvailable } from "./lib/claude_tmux.mjs";
import { eventually, makeTmp, procCmdline, processesMentioning } from "./lib/harness.mjs";
import { startModelStandIn } from "./lib/model_standin.mjs";

assert.ok(tmuxAvailable(), "tmux is needed to drive Claude Code interactively (apt-get install tmux)");

// The JSON a baton tool answered with, as the model saw it (Claude Code shows structuredContent).
function toolJson(body) {
  const results = lastToolResults(body);
  assert.equal(results.length, 1, `expected one tool_result in the last message: ${JSON.stringify(body.messages.at(-1))}`);
  const text = resultText(results[0]);
  assert.notEqual(results[0].is_error, true, `the tool call failed: ${text}`);
  try {
    return JSON.parse(text);
  } catch {
    assert.fail(`tool_result is not JSON: ${text}`);
  }
}

describe("Claude Code interactive session: enqueue, then status waits for the result", () => {
  let tmp;
  let api;
  let cc;
  before(async () => {
    tmp = makeTmp("claude-session");
    api = await startModelStandIn({
      script: [
        // The job computes its output, so the text the model sees later can only come from the run.
        { toolUse: { name: "mcp__baton__enqueue", input: { command: ["sh", "-c", "sleep 2; echo BATON-$((6*7))"] } } },
        (body) => ({
          toolUse: { name: "mcp__baton__status", input: { job_id: toolJson(body).job_id, wait_seconds: 60 } },
        }),
        (body) => {
          const job = toolJson(body).jobs?.[0];
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

  test("baton connects, and the model is offered its tools", { timeout: 90000 }, async () => {
    const { transport } = await cc.waitForBaton();
    assert.equal(transport, "stdio");
    await cc.submit("Run the computation as a background job and tell me what it printed.");
    const first = await api.waitFor("the first main-loop request", () => api.turns[0], 60000);
    for (const tool of ["mcp__baton__enqueue", "mcp__baton__status"])
      assert.ok(JSON.stringify(first.body).includes(tool), `the model was not offered ${tool}`);
  });

  test("the job's id, then its result, reach the model in the next requests", { timeout: 120000 }, async () => {
    const second = await api.waitFor("the request after enqueue", () => api.turns[1], 60000);
    const enq = toolJson(second.body);
    assert.equal(typeof enq.job_id, "number", JSON.stringify(enq));
    assert.match(enq.state, /^(queued|running)$/);

    const third = await api.waitFor("the request after status", () => api.turns[2], 90000);
    const { jobs } = toolJson(third.body);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0].job_id, enq.job_id);
    assert.equal(jobs[0].state, "succeeded", JSON.stringify(jobs[0]));
    assert.equal(jobs[0].exit_code, 0);
    assert.match(jobs[0].stdout_tail, /BATON-42/);
  });

  test("the model's answer is shown in the terminal", { timeout: 60000 }, async () => {
    await cc.waitForScreen("the final answer on screen", /Job \d+ ended succeeded: BATON-42/, 30000);
  });

  test("closing Claude Code ends the baton front-end and leaves no process behind", { timeout: 30000 }, async () => {
    await cc.stop();
    // The runner (started on demand, detached by design) may still be idling; the front-end
    // (`serve --stdio`) must be gone with its client.
    await eventually(
      "the baton front-end to exit",
      () => !processesMentioning(tmp.db).some((pid) => isServe(pid)),
      { timeoutMs: 10000 },
    );
  });
});

const isServe = (pid) => (procCmdline(pid) ?? []).includes("serve");
