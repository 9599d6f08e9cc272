// The official MCP TypeScript SDK client over Streamable HTTP against `baton serve --http`:
// the same core scenario as over stdio (lib/core_scenario.mjs), plus what only HTTP has —
// sessions (visible-ASCII id, DELETE ends it, 404 after), two clients on one service, and the
// transport's answers to bad requests (406, 400, 403, 202).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { callOk, connectHttp, enqueue, makeTmp, startHttp, status } from "./lib/harness.mjs";
import { coreScenario, LATEST } from "./lib/core_scenario.mjs";

coreScenario("baton serve --http with the MCP TypeScript SDK client", async (tmp) => {
  const srv = await startHttp(tmp);
  return {
    connect: (name) => connectHttp(srv.url, { name }),
    logs: () => srv.logs(),
    stop: () => srv.stop(),
  };
});

describe("baton serve --http: sessions and transport rules", () => {
  let tmp;
  let srv;
  before(async () => {
    tmp = makeTmp("http");
    srv = await startHttp(tmp);
  });
  after(async () => {
    try {
      if (srv) await srv.stop();
    } finally {
      tmp?.cleanup();
    }
  });

  const initBody = (id = 1, version = LATEST) =>
    JSON.stringify({
      jsonrpc: "2.0",
      id,
      method: "initialize",
      params: { protocolVersion: version, capabilities: {}, clientInfo: { name: "raw-http", version: "0" } },
    });
  const post = (body, headers = {}) =>
    fetch(srv.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      body,
    });

  test("session id is visible ASCII; DELETE ends the session and later requests get 404", async () => {
    const conn = await connectHttp(srv.url);
    const sid = conn.transport.sessionId;
    assert.ok(sid && /^[\x21-\x7e]{16,}$/.test(sid), `MCP-Session-Id ${JSON.stringify(sid)}`);
    const { tools } = await conn.client.listTools();
    assert.ok(tools.some((t) => t.name === "enqueue"));
    await conn.transport.terminateSession();
    const r = await post(JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list" }), {
      "mcp-session-id": sid,
      "mcp-protocol-version": LATEST,
    });
    assert.equal(r.status, 404, "a request on a deleted session gets 404");
    await conn.client.close();
  });

  test("two clients share one service: a job enqueued by one is seen by the other", async () => {
    const a = await connectHttp(srv.url, { name: "a" });
    const b = await connectHttp(srv.url, { name: "b" });
    try {
      assert.notEqual(a.transport.sessionId, b.transport.sessionId);
      const e = await enqueue(a.client, { command: ["/bin/echo", "shared"] });
      const [j] = await status(b.client, { job_id: e.job_id, wait_seconds: 30 });
      assert.equal(j.state, "succeeded");
      assert.match(j.stdout_tail, /shared/);
      const c = await callOk(b.client, "status", { job_ids: [e.job_id] });
      assert.equal(c.jobs[0].job_id, e.job_id);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("Accept without text/event-stream and application/json gets 406", async () => {
    const r = await post(initBody(), { accept: "text/html" });
    assert.equal(r.status, 406);
  });

  test("an unsupported MCP-Protocol-Version gets 400", async () => {
    const conn = await connectHttp(srv.url);
    const r = await post(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }), {
      "mcp-session-id": conn.transport.sessionId,
      "mcp-protocol-version": "1999-01-01",
    });
    assert.equal(r.status, 400);
    await conn.close();
  });

  test("a foreign Origin gets 403 (DNS-rebinding protection)", async () => {
    const r = await post(initBody(), { origin: "http://evil.example" });
    assert.equal(r.status, 403);
  });

  test("a notification gets 202", async () => {
    const conn = await connectHttp(srv.url);
    const r = await post(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }), {
      "mcp-session-id": conn.transport.sessionId,
      "mcp-protocol-version": LATEST,
    });
    assert.equal(r.status, 202);
    await conn.close();
  });
});
