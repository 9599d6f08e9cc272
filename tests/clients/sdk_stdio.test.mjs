// End to end with the official MCP TypeScript SDK client driving `baton serve --stdio`
// (the core scenario in lib/core_scenario.mjs), plus version negotiation on raw JSON-RPC lines.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { batonBin, connectStdio, makeTmp, run } from "./lib/harness.mjs";
import { coreScenario, LATEST } from "./lib/core_scenario.mjs";

const SUPPORTED = ["2025-03-26", "2025-06-18", "2025-11-25"];

coreScenario("baton serve --stdio with the MCP TypeScript SDK client", async (tmp) => ({
  connect: (name) => connectStdio(tmp, { name }),
  logs: () => "",
  stop: async () => {},
}));

// Raw newline-delimited JSON-RPC (no SDK) for what the SDK client cannot choose: the revision it
// offers, and Claude Code's server/discover probe (which must be answered, never met with silence).
describe("baton serve --stdio version negotiation (raw JSON-RPC)", () => {
  async function handshake(version) {
    const tmp = makeTmp("raw");
    try {
      const lines =
        [
          { jsonrpc: "2.0", id: 1, method: "server/discover", params: {} },
          { jsonrpc: "2.0", id: 3, method: "no/such-method", params: {} },
          {
            jsonrpc: "2.0",
            id: 2,
            method: "initialize",
            params: { protocolVersion: version, capabilities: {}, clientInfo: { name: "raw", version: "0" } },
          },
        ]
          .map((m) => JSON.stringify(m))
          .join("\n") + "\n";
      const r = await run(batonBin(), ["serve", "--stdio", "--db", tmp.db], {
        env: tmp.env,
        cwd: tmp.dir,
        input: lines,
        timeoutMs: 20000,
      });
      assert.ok(!r.timedOut, `serve --stdio did not exit at EOF on stdin; stderr: ${r.stderr}`);
      const msgs = r.stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => {
          try {
            return JSON.parse(l);
          } catch {
            assert.fail(`stdout carries a non-JSON line: ${JSON.stringify(l)}`);
          }
        });
      return { byId: new Map(msgs.map((m) => [m.id, m])), stderr: r.stderr };
    } finally {
      tmp.cleanup();
    }
  }

  for (const v of [...SUPPORTED, "2024-11-05", "2099-01-01"]) {
    test(`client offers ${v}`, async () => {
      const { byId, stderr } = await handshake(v);
      const discover = byId.get(1);
      assert.ok(discover, `no answer to server/discover (stderr: ${stderr})`);
      // Either a 2026-07-28 discover result or a JSON-RPC error (-32601 from a server without that
      // era, -32602 when the probe lacks the era's _meta): what matters is an immediate answer.
      assert.ok(discover.result || [-32601, -32602].includes(discover.error?.code), JSON.stringify(discover));
      assert.equal(byId.get(3)?.error?.code, -32601, `unknown method: ${JSON.stringify(byId.get(3))}`);
      const init = byId.get(2);
      assert.ok(init?.result, `no initialize result: ${JSON.stringify(init)}`);
      assert.equal(init.result.protocolVersion, SUPPORTED.includes(v) ? v : LATEST);
      assert.equal(init.result.serverInfo?.name, "baton");
    });
  }
});
