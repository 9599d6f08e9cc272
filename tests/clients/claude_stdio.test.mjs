// Claude Code (@anthropic-ai/claude-code, pinned) registers baton over stdio and reports it as
// Connected. `claude mcp list` exits 0 even when a server fails, so the text is what is checked.
// HOME points at a temporary directory; it works offline.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { batonBin, CLAUDE, eventually, makeTmp, processesMentioning, run } from "./lib/harness.mjs";

describe("Claude Code: claude mcp add / list over stdio", () => {
  let tmp;
  let env;
  before(() => {
    tmp = makeTmp("claude");
    env = {
      ...tmp.env,
      NO_COLOR: "1",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_TELEMETRY: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    };
  });
  after(() => tmp?.cleanup());

  const claude = async (args) => {
    const r = await run(CLAUDE, args, { env, cwd: tmp.dir, timeoutMs: 90000 });
    assert.ok(!r.timedOut, `claude ${args.join(" ")} timed out\n${r.stdout}\n${r.stderr}`);
    assert.equal(r.code, 0, `claude ${args.join(" ")}: ${r.stdout}\n${r.stderr}`);
    return r;
  };

  test("claude mcp add baton -- baton serve --stdio, then claude mcp list shows it Connected", async () => {
    const db = `${tmp.dir}/b.db`;
    const add = await claude(["mcp", "add", "baton", "--", batonBin(), "serve", "--stdio", "--db", db]);
    assert.match(add.stdout + add.stderr, /Added stdio MCP server baton/);
    const t0 = Date.now();
    const list = await claude(["mcp", "list"]);
    const line = list.stdout.split("\n").find((l) => l.startsWith("baton:"));
    assert.ok(line, `baton missing from claude mcp list:\n${list.stdout}\n${list.stderr}`);
    assert.match(line, /Connected/, `claude mcp list: ${line}`);
    assert.doesNotMatch(line, /Failed|Pending|needs/i, line);
    // Claude Code probes server/discover first and waits ~3 s on silence: the check is quick.
    assert.ok(Date.now() - t0 < 15000, `claude mcp list took ${Date.now() - t0} ms`);
  });

  test("a health check leaves no baton process behind", async () => {
    // `claude mcp list` starts the front-end, initializes and closes it: no runner may stay
    // (DESIGN: a runner starts only when there is work).
    await eventually(
      `no process on ${tmp.dir} after claude mcp list`,
      () => processesMentioning(tmp.dir).length === 0,
      { timeoutMs: 10000 },
    ).catch((e) => {
      throw new Error(
        `${e.message}: ${processesMentioning(tmp.dir)
          .map((p) => `${p}`)
          .join(", ")}`,
      );
    });
  });
});
