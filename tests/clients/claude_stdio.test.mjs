// Claude Code registers baton over stdio (`claude mcp add baton -- baton serve --stdio`) and
// `claude mcp list` reports it Connected; the health check leaves no process behind.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { batonBin, CLAUDE, makeTmp, run } from "./lib/harness.mjs";
import { claudeScenario } from "./lib/claude_scenario.mjs";

const setup = async (tmp) => ({
  add: ["baton", "--", batonBin(), "serve", "--stdio", "--db", `${tmp.dir}/b.db`],
  logs: () => "",
  stop: async () => {},
});
setup.healthCheckLeavesNothing = true;
claudeScenario("Claude Code: claude mcp add / list over stdio", setup);

// The README's project-scoped registration: a `.mcp.json` in the project directory (approved via
// enableAllProjectMcpServers, as a user does once in the trust dialog).
describe("Claude Code: project .mcp.json registration", () => {
  let tmp;
  before(() => {
    tmp = makeTmp("claude-project");
  });
  after(() => tmp?.cleanup());

  test("claude mcp list shows the .mcp.json server Connected", async () => {
    const mcp = {
      mcpServers: { baton: { command: batonBin(), args: ["serve", "--stdio", "--db", join(tmp.dir, "p.db")] } },
    };
    writeFileSync(join(tmp.dir, ".mcp.json"), JSON.stringify(mcp, null, 2));
    mkdirSync(join(tmp.dir, ".claude"));
    writeFileSync(join(tmp.dir, ".claude/settings.local.json"), JSON.stringify({ enableAllProjectMcpServers: true }));
    const env = {
      ...tmp.env,
      NO_COLOR: "1",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_TELEMETRY: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    };
    const r = await run(CLAUDE, ["mcp", "list"], { env, cwd: tmp.dir, timeoutMs: 90000 });
    assert.equal(r.code, 0, r.stderr);
    const line = r.stdout.split("\n").find((l) => l.startsWith("baton:"));
    assert.ok(line, `baton missing:\n${r.stdout}\n${r.stderr}`);
    assert.match(line, /Connected/, line);
  });
});
