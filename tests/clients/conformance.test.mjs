// The official MCP conformance suite (@modelcontextprotocol/conformance 0.1.16 and
// 0.2.0-alpha.12, pinned) against `baton serve --http`: every server scenario that needs no
// fixture tool, resource or prompt must pass with zero failed checks. (The fixture scenarios run
// against the separate test server under tests/conformance/.) Each scenario is one test; its
// checks come from the suite's own checks.json.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { CLIENTS_DIR, makeTmp, NODE22, run, startHttp } from "./lib/harness.mjs";

// Scenarios that exercise only the protocol and transport, not fixtures. Not listed on purpose:
// tools-call-* / resources-* / prompts-* / completion-* / elicitation-* (need fixtures; note that
// tools-call-simple-text and tools-call-error also "pass" when the tool is missing), and in the
// alpha: server-stateless (test_* tools), caching (prompts/resources lists),
// http-custom-header-server-validation (a tool with x-mcp-header), the other input-required-result-*
// (fixture tools and prompts), sep-2164-resource-not-found (passes only with warnings while baton
// has no resources).
const BASE = [
  "server-initialize",
  "ping",
  "tools-list",
  "logging-set-level",
  "server-sse-multiple-streams",
  "dns-rebinding-protection",
];
const SUITES = [
  {
    version: "0.1.16",
    bin: join(CLIENTS_DIR, "node_modules/@modelcontextprotocol/conformance/dist/index.js"),
    scenarios: BASE,
  },
  {
    version: "0.2.0-alpha.12",
    bin: join(CLIENTS_DIR, "conformance-alpha/node_modules/@modelcontextprotocol/conformance/dist/index.js"),
    scenarios: [
      ...BASE,
      "server-session-lifecycle",
      "http-header-validation",
      "input-required-result-unsupported-methods",
    ],
  },
];

for (const suite of SUITES) {
  describe(`conformance ${suite.version} against baton serve --http (no-fixture scenarios)`, () => {
    let tmp;
    let srv;
    before(async () => {
      tmp = makeTmp("conformance");
      srv = await startHttp(tmp);
    });
    after(async () => {
      if (srv) await srv.stop();
      tmp?.cleanup();
    });

    for (const scenario of suite.scenarios) {
      test(scenario, async () => {
        const out = join(tmp.dir, `out-${scenario}`);
        const r = await run(NODE22, [suite.bin, "server", "--url", srv.url, "--scenario", scenario, "-o", out], {
          env: { ...tmp.env, NO_COLOR: "1", FORCE_COLOR: "0" },
          cwd: tmp.dir,
          timeoutMs: 120000,
        });
        const where = `conformance ${suite.version} ${scenario}\n${r.stdout.slice(-6000)}\n${r.stderr.slice(-2000)}\nserver: ${srv.logs().slice(-2000)}`;
        assert.ok(!r.timedOut, `timed out: ${where}`);
        const dirs = readdirSync(out);
        assert.equal(dirs.length, 1, `no results written: ${where}`);
        const checks = JSON.parse(readFileSync(join(out, dirs[0], "checks.json"), "utf8"));
        const failed = checks.filter((c) => c.status === "FAILURE");
        assert.deepEqual(
          failed.map((c) => `${c.id}: ${c.description}${c.errorMessage ? ` — ${c.errorMessage}` : ""}`),
          [],
          `failed checks: ${where}`,
        );
        assert.ok(
          checks.some((c) => c.status === "SUCCESS"),
          `no check succeeded: ${where}`,
        );
        assert.equal(r.code, 0, `exit code ${r.code}: ${where}`);
      });
    }
  });
}
