// The MCP Inspector CLI (@modelcontextprotocol/inspector, pinned, on node 22): tools/list and
// tools/call of enqueue and status, for any transport.
//   inspectorScenario(label, setup): setup(tmp) returns { target, logs(), stop() } where target
//   is the Inspector arguments that name the server (after its options).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { INSPECTOR, makeTmp, NODE22, run } from "./harness.mjs";

export function inspectorScenario(label, setup) {
  describe(label, () => {
    let tmp;
    let served; // setup(tmp): { target: [...inspector args naming the server], logs(), stop() }
    before(async () => {
      tmp = makeTmp("inspector");
      served = await setup(tmp);
    });
    after(async () => {
      try {
        if (served) await served.stop();
      } finally {
        tmp?.cleanup();
      }
    });

    // Runs `inspector --cli <options> <target>` and parses its JSON output.
    async function inspector(options, { expectCode = 0 } = {}) {
      const args = [INSPECTOR, "--cli", ...options, ...served.target];
      const r = await run(NODE22, args, { env: { ...tmp.env, NO_COLOR: "1" }, cwd: tmp.dir, timeoutMs: 90000 });
      const where = `inspector ${options.join(" ")}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nserver: ${served.logs()}`;
      assert.ok(!r.timedOut, `timed out: ${where}`);
      assert.equal(r.code, expectCode, `exit code: ${where}`);
      const start = r.stdout.indexOf("{");
      assert.ok(start >= 0, `no JSON on stdout: ${where}`);
      try {
        // The result is one pretty-printed JSON document; anything after it is diagnostics.
        return JSON.parse(r.stdout.slice(start, r.stdout.lastIndexOf("}") + 1));
      } catch {
        // A trailing JSON error line follows the result when the tool reported isError.
        return JSON.parse(r.stdout.slice(start).split(/\n(?=\{)/)[0]);
      }
    }

    test("tools/list shows the four tools with their annotations", async () => {
      const { tools } = await inspector(["--method", "tools/list"]);
      const byName = new Map(tools.map((t) => [t.name, t]));
      for (const n of ["enqueue", "status", "chain", "cancel"]) {
        assert.ok(byName.has(n), `tool ${n} missing: ${[...byName.keys()]}`);
        assert.ok(
          byName.get(n).title && byName.get(n).description && byName.get(n).inputSchema && byName.get(n).outputSchema,
          `${n} lacks title/description/schemas`,
        );
      }
      assert.equal(byName.get("status").annotations?.readOnlyHint, true);
      assert.equal(byName.get("cancel").annotations?.destructiveHint, true);
    });

    test("tools/call enqueue (JSON array and object via --tool-arg), then status with wait_seconds", async () => {
      const enq = await inspector([
        "--method",
        "tools/call",
        "--tool-name",
        "enqueue",
        "--tool-arg",
        'command=["/usr/bin/env"]',
        'env={"INSPECTOR_VAR":"from inspector"}',
        'labels={"via":"inspector"}',
      ]);
      assert.notEqual(enq.isError, true, JSON.stringify(enq));
      const id = enq.structuredContent?.job_id;
      assert.equal(typeof id, "number", JSON.stringify(enq));
      assert.deepEqual(JSON.parse(enq.content.find((c) => c.type === "text").text), enq.structuredContent);

      const st = await inspector([
        "--method",
        "tools/call",
        "--tool-name",
        "status",
        "--tool-arg",
        `job_id=${id}`,
        "wait_seconds=30",
        "verbose=true",
      ]);
      assert.notEqual(st.isError, true, JSON.stringify(st));
      const job = st.structuredContent; // one job_id: the job's view itself
      assert.equal(job.job_id, id);
      assert.equal(job.state, "succeeded", JSON.stringify(job));
      assert.equal(job.exit_code, 0);
      assert.match(job.stdout_tail, /^INSPECTOR_VAR=from inspector$/m);
    });

    test("tools/call status of an unknown job is a tool error (exit code 5 from the Inspector)", async () => {
      const st = await inspector(
        ["--method", "tools/call", "--tool-name", "status", "--tool-arg", "job_id=987654321"],
        {
          expectCode: 5,
        },
      );
      assert.equal(st.isError, true);
      assert.ok(st.content?.[0]?.text, "the tool error carries a message");
    });
  });
}
