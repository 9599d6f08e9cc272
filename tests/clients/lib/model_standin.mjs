// A scripted local stand-in for the Anthropic Messages API, so that a real Claude Code session runs
// offline: Claude Code is pointed at it with ANTHROPIC_BASE_URL. It is not a model: it plays a
// script of turns and records every request, so a test can check what the model was shown.
//
//   const api = await startModelStandIn({ script: [turn, ...] });
//   api.url        -> http://127.0.0.1:PORT (ANTHROPIC_BASE_URL)
//   (option unixSocket: PATH -> it also listens there; see tcp_to_unix.mjs)
//   api.requests   -> every request: { at, method, path, body }
//   api.turns      -> the main-loop /v1/messages requests the script answered, in order
//   await api.close()
//
// A turn is { text } or { toolUse: { name, input } } (a tool_use block, stop_reason "tool_use"),
// or a function (request body) -> such an object. Only main-loop requests consume turns: those
// that offer tools (Claude Code's side requests — title, quota probe — offer none). A main-loop
// request with no turn left is answered with the text NO_TURN_LEFT. Responses stream (SSE) when
// the request asks for it, with the event sequence of the real API: message_start,
// content_block_start / content_block_delta / content_block_stop per block, message_delta,
// message_stop.
import { createServer } from "node:http";

export const NO_TURN_LEFT = "(stand-in model: the script has no turn left)";

export async function startModelStandIn({ script = [], sideText = "Baton test session", unixSocket } = {}) {
  const requests = [];
  const turns = [];
  let next = 0;
  let messageSeq = 0;
  const waiters = new Set();

  const notify = () => {
    for (const w of [...waiters]) w();
  };

  const handler = (req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const url = new URL(req.url, "http://x");
      let body = null;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        body = { unparsed: raw };
      }
      const entry = { at: Date.now(), method: req.method, path: url.pathname, body };
      requests.push(entry);
      try {
        route(entry, res);
      } catch (e) {
        sendJson(res, 500, apiError("api_error", `stand-in failed: ${e.stack ?? e}`));
      }
      notify();
    });
  };
  const server = createServer(handler);
  // Also on a Unix socket (unixSocket: path), for a Claude Code in a private network namespace.
  const unixServer = unixSocket ? createServer(handler) : null;

  function route(entry, res) {
    const { method, path, body } = entry;
    if (method === "POST" && path === "/v1/messages/count_tokens") {
      // A rough count (4 characters a token) is all Claude Code needs to budget its context.
      return sendJson(res, 200, { input_tokens: Math.ceil(JSON.stringify(body ?? {}).length / 4) });
    }
    if (method === "POST" && path === "/v1/messages") {
      const mainLoop = Array.isArray(body?.tools) && body.tools.length > 0;
      let turn;
      if (mainLoop) {
        const step = next < script.length ? script[next++] : { text: NO_TURN_LEFT };
        turn = typeof step === "function" ? step(body) : step;
        entry.turn = turns.length;
        turns.push(entry);
      } else {
        turn = { text: sideText };
      }
      const message = buildMessage(body, turn, `msg_standin_${++messageSeq}`);
      return body?.stream ? sendStream(res, message) : sendJson(res, 200, message);
    }
    if (method === "GET" && path === "/v1/models") {
      return sendJson(res, 200, { data: [], has_more: false, first_id: null, last_id: null });
    }
    return sendJson(res, 404, apiError("not_found_error", `stand-in: no ${method} ${path}`));
  }

  const listen = (srv, ...where) =>
    new Promise((resolve, reject) => {
      srv.once("error", reject);
      srv.listen(...where, resolve);
    });
  await listen(server, 0, "127.0.0.1");
  if (unixServer) await listen(unixServer, unixSocket);
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    turns,
    // Resolves with fn()'s first truthy value, checked after every request; rejects after timeoutMs.
    waitFor(what, fn, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const v = fn();
          if (!v) return;
          cleanup();
          resolve(v);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`model stand-in: timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      for (const srv of [server, unixServer]) {
        if (!srv) continue;
        srv.closeAllConnections();
        await new Promise((r) => srv.close(() => r()));
      }
    },
  };
}

function buildMessage(body, turn, id) {
  const content = [];
  if (turn.text !== undefined) content.push({ type: "text", text: turn.text });
  if (turn.toolUse) {
    content.push({
      type: "tool_use",
      id: `toolu_standin_${id.split("_").pop()}`,
      name: turn.toolUse.name,
      input: turn.toolUse.input ?? {},
    });
  }
  return {
    id,
    type: "message",
    role: "assistant",
    model: body?.model ?? "claude-standin",
    content,
    stop_reason: turn.toolUse ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: { input_tokens: Math.ceil(JSON.stringify(body ?? {}).length / 4), output_tokens: 10 },
  };
}

function sendStream(res, message) {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "request-id": `req_${message.id}`,
  });
  const event = (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  event("message_start", {
    message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } },
  });
  message.content.forEach((block, index) => {
    if (block.type === "text") {
      event("content_block_start", { index, content_block: { type: "text", text: "" } });
      event("content_block_delta", { index, delta: { type: "text_delta", text: block.text } });
    } else {
      event("content_block_start", { index, content_block: { ...block, input: {} } });
      event("content_block_delta", {
        index,
        delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input) },
      });
    }
    event("content_block_stop", { index });
  });
  event("message_delta", {
    delta: { stop_reason: message.stop_reason, stop_sequence: null },
    usage: { output_tokens: message.usage.output_tokens },
  });
  event("message_stop", {});
  res.end();
}

function sendJson(res, status, obj) {
  const text = JSON.stringify(obj);
  res.writeHead(status, { "content-type": "application/json", "request-id": "req_standin" });
  res.end(text);
}

function apiError(type, message) {
  return { type: "error", error: { type, message } };
}
