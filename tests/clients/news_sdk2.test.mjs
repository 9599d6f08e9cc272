// Job news with the official MCP TypeScript client 2.3.1 (@modelcontextprotocol/client), which
// speaks 2026-07-28: it probes server/discover, and its listen() opens subscriptions/listen and
// resolves on notifications/subscriptions/acknowledged. Over stdio and Streamable HTTP: the
// acknowledgement comes, a subscribed job resource gets notifications/resources/updated when the
// job starts and ends, and close() ends the subscription while the connection goes on.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";

import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

import { batonBin, makeTmp, startHttp, withTimeout } from "./lib/harness.mjs";

const MODERN = "2026-07-28";

function modernClient() {
  return new Client({ name: "news-sdk2", version: "1.0.0" }, { versionNegotiation: { mode: "auto" } });
}

async function scenario(client) {
  assert.equal(client.getNegotiatedProtocolVersion?.() ?? MODERN, MODERN);
  const updates = [];
  let wake = () => {};
  client.setNotificationHandler("notifications/resources/updated", (n) => {
    updates.push(n.params.uri);
    wake();
  });
  // A job that starts a second from now, so that the subscription is in place first.
  const res = await client.callTool({
    name: "enqueue",
    arguments: { command: ["/bin/sleep", "1"], delay_seconds: 1 },
  });
  assert.notEqual(res.isError, true, JSON.stringify(res));
  const id = res.structuredContent.job_id;
  const uri = `baton://jobs/${id}`;

  const started = Date.now();
  const sub = await withTimeout(
    client.listen({ resourceSubscriptions: [uri], toolsListChanged: true }, { timeout: 20000 }),
    20000,
    "subscriptions/listen was not acknowledged",
  );
  // Claude Code stalls 27 s without the acknowledgement; here it must come well before that.
  assert.ok(Date.now() - started < 20000);
  assert.deepEqual(sub.honoredFilter, { resourceSubscriptions: [uri] });

  const deadline = Date.now() + 30000;
  while (updates.filter((u) => u === uri).length < 2) {
    assert.ok(Date.now() < deadline, `resources/updated seen ${updates.length} time(s), expected 2`);
    await new Promise((r) => {
      wake = r;
      setTimeout(r, 500);
    });
  }
  const read = await client.readResource({ uri });
  assert.equal(JSON.parse(read.contents[0].text).state, "succeeded");

  await sub.close();
  // The connection goes on after the subscription ends.
  const tools = await client.listTools();
  assert.ok(tools.tools.some((t) => t.name === "status"));
}

describe("job news with @modelcontextprotocol/client 2.3.1 (2026-07-28)", () => {
  const tmps = [];
  after(() => tmps.forEach((t) => t.cleanup()));

  test("stdio: listen acknowledged, job resource updates, close", async () => {
    const tmp = makeTmp("news-stdio");
    tmps.push(tmp);
    const transport = new StdioClientTransport({
      command: batonBin(),
      args: ["serve", "--stdio", "--db", tmp.db, "--runner-idle-exit", "5"],
      env: tmp.env,
      cwd: tmp.dir,
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr.on("data", (d) => (stderr += d));
    const client = modernClient();
    try {
      await client.connect(transport, { timeout: 15000 });
      await scenario(client);
    } catch (e) {
      e.message += `\nbaton stderr:\n${stderr.slice(-3000)}`;
      throw e;
    } finally {
      await client.close();
    }
  });

  test("Streamable HTTP: listen on the POST's SSE stream, job resource updates, close", async () => {
    const tmp = makeTmp("news-http");
    tmps.push(tmp);
    const server = await startHttp(tmp);
    const client = modernClient();
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url)), { timeout: 15000 });
      await scenario(client);
    } catch (e) {
      e.message += `\nbaton log:\n${server.logs().slice(-3000)}`;
      throw e;
    } finally {
      await client.close();
      await server.stop();
    }
  });
});
