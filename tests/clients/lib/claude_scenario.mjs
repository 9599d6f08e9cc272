// Claude Code (@anthropic-ai/claude-code, pinned): `claude mcp add`, then `claude mcp list` must
// report baton as Connected. `claude mcp list` exits 0 even when a server fails, so the text is
// what is checked. HOME points at a temporary directory; it works offline.
//   claudeScenario(label, setup): setup(tmp) returns { add: [args after `claude mcp add`],
//   logs(), stop(), healthCheckLeavesNothing: bool }.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { CLAUDE, eventually, makeTmp, processesMentioning, run } from "./harness.mjs";

export function claudeScenario(label, setup) {
  describe(label, () => {
    let tmp;
    let served;
    let env;
    before(async () => {
      tmp = makeTmp("claude");
      served = await setup(tmp);
      env = {
        ...tmp.env,
        NO_COLOR: "1",
        DISABLE_AUTOUPDATER: "1",
        DISABLE_TELEMETRY: "1",
        DISABLE_ERROR_REPORTING: "1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      };
    });
    after(async () => {
      try {
        if (served) await served.stop();
      } finally {
        tmp?.cleanup();
      }
    });

    const claude = async (args) => {
      const r = await run(CLAUDE, args, { env, cwd: tmp.dir, timeoutMs: 90000 });
      const where = `claude ${args.join(" ")}\n${r.stdout}\n${r.stderr}\nserver: ${served.logs()}`;
      assert.ok(!r.timedOut, `timed out: ${where}`);
      assert.equal(r.code, 0, where);
      return r;
    };

    test("claude mcp add, then claude mcp list shows baton Connected", async () => {
      const add = await claude(["mcp", "add", ...served.add]);
      assert.match(add.stdout + add.stderr, /Added .*MCP server baton/);
      const t0 = Date.now();
      const list = await claude(["mcp", "list"]);
      const line = list.stdout.split("\n").find((l) => l.startsWith("baton"));
      assert.ok(line, `baton missing from claude mcp list:\n${list.stdout}\n${list.stderr}`);
      assert.match(line, /Connected/, `claude mcp list: ${line}\nserver: ${served.logs()}`);
      assert.doesNotMatch(line, /Failed|Pending|needs/i, line);
      // Claude Code probes server/discover first and waits ~3 s on silence: the check is quick.
      assert.ok(Date.now() - t0 < 15000, `claude mcp list took ${Date.now() - t0} ms`);
    });

    test("claude mcp get baton reports it Connected", async () => {
      const get = await claude(["mcp", "get", "baton"]);
      assert.match(get.stdout, /Status: .*Connected/, `claude mcp get baton:\n${get.stdout}\n${get.stderr}`);
    });

    if (setup.healthCheckLeavesNothing) {
      test("the health check leaves no baton process behind", async () => {
        // `claude mcp list` starts the front-end, initializes and closes it: no runner may stay
        // (DESIGN: a runner starts only when there is work).
        await eventually(
          `no process on ${tmp.dir} after claude mcp list`,
          () => processesMentioning(tmp.dir).length === 0,
          { timeoutMs: 10000 },
        ).catch((e) => {
          throw new Error(`${e.message}: still running: ${processesMentioning(tmp.dir).join(", ")}`);
        });
      });
    }
  });
}
