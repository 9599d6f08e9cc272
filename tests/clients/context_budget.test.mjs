// Context economy (issue 17): what the model sees of baton, counted with the Anthropic tokenizer
// (@anthropic-ai/tokenizer, vocabulary embedded: works offline), against the budgets. A real
// `baton serve --stdio` with the official SDK client runs real jobs; the model sees
// JSON.stringify(structuredContent) of a result when present (Claude Code), else its text, and of
// tools/list each tool's name, description and input schema. Sizes are deterministic (unlike
// times): the budgets are assertions. The measured figures are printed for the record.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { countTokens } from "@anthropic-ai/tokenizer";

import { callOk, connectStdio, enqueue, eventually, makeTmp } from "./lib/harness.mjs";

const BUDGETS = {
  toolsList: 2000,
  succeeded: 70,
  failed: 100,
  running: 40,
  jobs20: 500,
  noisy: 450,
};

// What the model sees of a tool result.
function seen(res) {
  if (res.structuredContent !== undefined) return JSON.stringify(res.structuredContent);
  return (res.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
}

const measured = {};
function record(row, tokens, budget, sample) {
  measured[row] = tokens;
  console.log(`context budget: ${row}: ${tokens} tokens (budget ${budget})`);
  assert.ok(tokens <= budget, `${row}: ${tokens} tokens, over the budget of ${budget}: ${sample}`);
}

async function statusSeen(client, args) {
  const res = await client.callTool({ name: "status", arguments: args }, undefined, { timeout: 150000 });
  assert.notEqual(res.isError, true, `status(${JSON.stringify(args)}): ${JSON.stringify(res.content)}`);
  return { view: res.structuredContent, text: seen(res) };
}

describe("what the model sees of baton fits the context budgets", () => {
  let tmp, conn, client;
  before(async () => {
    tmp = makeTmp("budget");
    conn = await connectStdio(tmp, { name: "context-budget" });
    client = conn.client;
  });
  after(async () => {
    await conn?.close();
    tmp?.cleanup();
    console.log(`context budget figures: ${JSON.stringify(measured)}`);
  });

  test("tools/list: every tool's name, description and input schema", async () => {
    const { tools } = await client.listTools();
    assert.ok(tools.length >= 8, `expected the 8 tools, got ${tools.map((t) => t.name)}`);
    let total = 0;
    for (const t of tools) {
      const n = countTokens(t.name) + countTokens(t.description ?? "") + countTokens(JSON.stringify(t.inputSchema));
      console.log(`context budget:   tool ${t.name}: ${n} tokens`);
      total += n;
    }
    record("tools/list", total, BUDGETS.toolsList, tools.map((t) => t.name).join(", "));
    // Templates work in chain steps and schedules too: their specs say so.
    const chain = tools.find((t) => t.name === "chain");
    assert.match(JSON.stringify(chain.inputSchema.properties.steps), /template/);
    const schedule = tools.find((t) => t.name === "schedule");
    assert.match(JSON.stringify(schedule.inputSchema.properties.spec), /template/);
  });

  test("status of a succeeded build printing 4 lines", async () => {
    const lines = ["Compiling src/main.c", "Compiling src/util.c", "Linking build/app", "Build succeeded: 0 warnings"];
    const e = await enqueue(client, {
      command: ["sh", "-c", lines.map((l) => `echo '${l}'`).join("; ")],
    });
    const { view, text } = await statusSeen(client, { job_id: e.job_id, wait_seconds: 30 });
    assert.equal(view.state, "succeeded", text);
    assert.equal(view.stdout_tail, lines.join("\n") + "\n", "every output line is there");
    record("status succeeded (4 lines)", countTokens(text), BUDGETS.succeeded, text);
    // The full view still has what the lean one leaves out, exit code 0 included.
    const full = await statusSeen(client, { job_id: e.job_id, verbose: true });
    assert.equal(full.view.exit_code, 0);
    assert.deepEqual(full.view.command, ["sh", "-c", lines.map((l) => `echo '${l}'`).join("; ")]);
    assert.equal(full.view.queue, "default");
    console.log(`context budget:   (verbose: ${countTokens(full.text)} tokens)`);
  });

  test("status of a failed build: exit 2 with 3 stderr lines", async () => {
    const errs = [
      "src/main.c:12:5: error: 'count' undeclared (first use in this function)",
      "src/main.c:30:1: error: expected ';' before '}' token",
      "make: *** [Makefile:8: build/main.o] Error 1",
    ];
    const e = await enqueue(client, {
      command: ["sh", "-c", errs.map((l) => `echo "${l}" >&2`).join("; ") + "; exit 2"],
    });
    const { view, text } = await statusSeen(client, { job_id: e.job_id, wait_seconds: 30 });
    assert.equal(view.state, "failed", text);
    assert.equal(view.exit_code, 2, text);
    assert.equal(view.stderr_tail, errs.join("\n") + "\n", "every stderr line is there");
    record("status failed (exit 2, 3 stderr lines)", countTokens(text), BUDGETS.failed, text);
  });

  test("status of a running job", async () => {
    const e = await enqueue(client, { command: ["sleep", "60"] });
    const view = await eventually("the job to run", async () => {
      const s = await statusSeen(client, { job_id: e.job_id });
      return s.view.state === "running" ? s : null;
    }, { timeoutMs: 20000 });
    record("status running", countTokens(view.text), BUDGETS.running, view.text);
    await callOk(client, "cancel", { job_id: e.job_id });
  });

  test("jobs: 20 rows", async () => {
    const ids = [];
    for (let i = 1; i <= 20; i++)
      ids.push((await enqueue(client, { command: ["sh", "-c", `echo test shard ${i} of 20`] })).job_id);
    await statusSeen(client, { job_ids: ids, wait_seconds: 30 });
    const res = await client.callTool({ name: "jobs", arguments: {} });
    assert.notEqual(res.isError, true, JSON.stringify(res.content));
    assert.equal(res.structuredContent.jobs.length, 20, "the default page is 20 rows");
    const text = seen(res);
    record("jobs (20 rows)", countTokens(text), BUDGETS.jobs20, text);
  });

  test("status of a noisy build: 300 lines, default tail", async () => {
    const e = await enqueue(client, {
      command: [
        "sh",
        "-c",
        'i=0; while [ $i -lt 300 ]; do i=$((i+1)); echo "[$i/300] Building CXX object src/CMakeFiles/app.dir/module_$i.cc.o"; done',
      ],
    });
    const { view, text } = await statusSeen(client, { job_id: e.job_id, wait_seconds: 30 });
    assert.equal(view.state, "succeeded", text);
    const tail = view.stdout_tail;
    assert.ok(tail.startsWith("["), `the tail starts mid-line: ${JSON.stringify(tail.slice(0, 60))}`);
    assert.ok(tail.endsWith("[300/300] Building CXX object src/CMakeFiles/app.dir/module_300.cc.o\n"), "the last line is there");
    record("status noisy build (300 lines)", countTokens(text), BUDGETS.noisy, text.slice(0, 200));
    // tail_bytes asks for more, still in whole lines.
    const more = await statusSeen(client, { job_id: e.job_id, tail_bytes: 4000 });
    assert.ok(more.view.stdout_tail.length > tail.length);
    assert.ok(more.view.stdout_tail.startsWith("["));
  });
});
