// Drives a real interactive Claude Code session in a detached tmux session (fixed size, private
// server socket `tmux -L`), offline: the model is the scripted stand-in of model_standin.mjs, and
// baton is registered for the project through `.mcp.json`. Everything Claude Code keeps lives in the
// test's temporary directory (HOME), so no user configuration is read or written.
//
//   const cc = await startClaudeSession(tmp, { apiUrl, batonArgs, claudeArgs, env });
//   await cc.waitForBaton();            // Claude Code's debug log: baton connected
//   await cc.submit("please run it");   // types the prompt, then Enter
//   await cc.waitForScreen("the answer", /done/, 30000);
//   cc.screen(); cc.debugLog();
//   await cc.stop();                    // kills the tmux server; no process is left
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { batonBin, CLAUDE, CLIENTS_DIR, eventually, NODE22, procChildren, procState, sleep } from "./harness.mjs";

// Any syntactically plausible key: the stand-in ignores it. Claude Code asks once whether to use a
// key from the environment; the answer is remembered by the key's last 20 characters.
const API_KEY = "sk-ant-api03-baton-test-standin-0123456789abcdefghij";

function tmux(sock, args, { check = true } = {}) {
  const r = spawnSync("tmux", ["-L", sock, ...args], { encoding: "utf8", timeout: 10000 });
  if (check && r.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr || r.error}`);
  return r;
}

export function tmuxAvailable() {
  return spawnSync("tmux", ["-V"], { encoding: "utf8" }).status === 0;
}

const IP = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].find((p) => existsSync(p));

// Whether this machine lets us make a private network namespace (`unshare -rn`) with loopback up.
// Returns null when it does, else why not.
export function privateNetworkProblem() {
  if (!IP) return "no `ip` command (apt-get install iproute2)";
  const r = spawnSync("unshare", ["-rn", IP, "link", "set", "lo", "up"], { encoding: "utf8", timeout: 10000 });
  return r.status === 0 ? null : `unshare -rn failed: ${r.stderr || r.error}`;
}

// The port the model stand-in appears on inside a private network namespace (the namespace is
// new and empty: any port is free).
const NETNS_API_PORT = 40000;

const shq = (s) => `'${String(s).replaceAll("'", `'\\''`)}'`;

// Starts `claude` in a new tmux session. Options:
//   apiUrl      the stand-in's URL (ANTHROPIC_BASE_URL)
//   batonArgs   arguments after `baton` in .mcp.json (default: serve --stdio --db tmp.db)
//   batonEnv    extra environment for baton (.mcp.json "env")
//   claudeArgs  extra command-line arguments for claude
//   env         extra environment for claude
//   cols, rows  the terminal size (fixed, so screens are comparable)
//   apiSocket   run Claude Code in a private network namespace (only loopback; nothing can leave
//               the machine) and reach the stand-in through its Unix socket at this path. Needed
//               whenever CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC is off.
//   channels    e.g. ["server:baton"]: --dangerously-load-development-channels. Channels are
//               behind a feature flag that Claude Code reads from its cached flags, and only while
//               non-essential traffic is on: so this needs apiSocket.
export async function startClaudeSession(tmp, opts = {}) {
  const { apiUrl, batonArgs = ["serve", "--stdio", "--db", tmp.db], batonEnv = {} } = opts;
  const { claudeArgs = [], env = {}, cols = 160, rows = 50, apiSocket, channels = [] } = opts;
  assert.ok(apiUrl || apiSocket, "startClaudeSession needs apiUrl or apiSocket (the model stand-in)");
  assert.ok(channels.length === 0 || apiSocket, "channels need a private network namespace (apiSocket)");
  const home = join(tmp.dir, "home");
  const project = join(tmp.dir, "project");
  const debugFile = join(tmp.dir, "claude-debug.txt");
  mkdirSync(join(home, ".claude"), { recursive: true });
  mkdirSync(join(project, ".claude"), { recursive: true });

  // The global config: onboarding done, the project trusted, the environment's API key accepted.
  writeFileSync(
    join(home, ".claude.json"),
    JSON.stringify({
      hasCompletedOnboarding: true,
      theme: "dark",
      customApiKeyResponses: { approved: [API_KEY.slice(-20)], rejected: [] },
      projects: { [project]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true } },
      // Channels (research preview) are behind this flag; offline, the cached value is what counts.
      ...(channels.length > 0 && { cachedFeatureFlags: { tengu_harbor: true }, cachedGrowthBookFeatures: { tengu_harbor: true } }),
    }),
  );
  // baton as a project server (the README's registration), approved, its tools allowed without a
  // permission prompt.
  writeFileSync(
    join(project, ".mcp.json"),
    JSON.stringify({ mcpServers: { baton: { command: batonBin(), args: batonArgs, env: batonEnv } } }, null, 2),
  );
  writeFileSync(
    join(project, ".claude/settings.local.json"),
    JSON.stringify({ enableAllProjectMcpServers: true, permissions: { allow: ["mcp__baton"] } }),
  );

  const claudeEnv = {
    ...tmp.env,
    HOME: home,
    TERM: "xterm-256color",
    ANTHROPIC_BASE_URL: apiSocket ? `http://127.0.0.1:${NETNS_API_PORT}` : apiUrl,
    ANTHROPIC_API_KEY: API_KEY,
    DISABLE_AUTOUPDATER: "1",
    // Off only inside the private network namespace, where nothing can leave the machine (they
    // also turn off the feature flags that channels need).
    ...(!apiSocket && {
      DISABLE_TELEMETRY: "1",
      DISABLE_ERROR_REPORTING: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    }),
    ...env,
  };
  const args = [...claudeArgs];
  if (channels.length > 0) args.push("--dangerously-load-development-channels", ...channels);
  // tmux runs the command with its own server's environment: start from an empty one.
  const script = join(tmp.dir, "claude.sh");
  const assignments = Object.entries(claudeEnv).map(([k, v]) => `${k}=${shq(v)}`);
  let lines = ["#!/bin/sh", `cd ${shq(project)} || exit 1`];
  if (apiSocket) {
    const bridge = join(CLIENTS_DIR, "lib/tcp_to_unix.mjs");
    lines.push(`${IP} link set lo up || exit 1`, `${shq(NODE22)} ${shq(bridge)} ${NETNS_API_PORT} ${shq(apiSocket)} &`);
  }
  lines.push(
    `exec env -i ${assignments.join(" ")} ${shq(CLAUDE)} --debug-file ${shq(debugFile)} ${args.map(shq).join(" ")}`,
  );
  writeFileSync(script, lines.join("\n") + "\n");
  const command = apiSocket ? ["unshare", "-rn", "sh", script] : ["sh", script];

  const sock = `baton-claude-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const startedAt = Date.now();
  tmux(sock, ["-f", "/dev/null", "new-session", "-d", "-s", "cc", "-x", String(cols), "-y", String(rows), ...command]);
  // Keep the pane after claude exits, so that a crash can still be read.
  tmux(sock, ["set-option", "-t", "cc", "remain-on-exit", "on"]);
  const panePid = Number(tmux(sock, ["list-panes", "-t", "cc", "-F", "#{pane_pid}"]).stdout.trim());
  let stopped = false;

  const screen = () => {
    if (stopped) return "(session stopped)";
    const r = tmux(sock, ["capture-pane", "-p", "-t", "cc", "-S", "-200"], { check: false });
    return r.status === 0 ? r.stdout : `(capture-pane failed: ${r.stderr})`;
  };
  const debugLog = () => (existsSync(debugFile) ? readFileSync(debugFile, "utf8") : "");
  const diagnostics = () =>
    `--- screen ---\n${screen()}\n--- claude debug log (MCP lines) ---\n` +
    debugLog()
      .split("\n")
      .filter((l) => /MCP server "baton"|[Cc]hannel|\[MCP\]/.test(l))
      .map((l) => l.slice(0, 400))
      .slice(-60)
      .join("\n");

  const session = {
    sock,
    project,
    home,
    debugFile,
    startedAt,
    panePid,
    screen,
    debugLog,
    diagnostics,
    // The screen, waited on until it matches `re`.
    async waitForScreen(what, re, timeoutMs) {
      try {
        return await eventually(what, () => re.test(screen()) && screen(), { timeoutMs, intervalMs: 250 });
      } catch (e) {
        throw new Error(`${e.message}\n${diagnostics()}`);
      }
    },
    // Claude Code's debug log, waited on until it matches `re`; returns the match.
    async waitForDebug(what, re, timeoutMs) {
      try {
        return await eventually(what, () => debugLog().match(re), { timeoutMs, intervalMs: 100 });
      } catch (e) {
        throw new Error(`${e.message}\n${diagnostics()}`);
      }
    },
    // baton connected (or failed): resolves with the connect time Claude Code measured, in ms.
    async waitForBaton(timeoutMs = 60000) {
      const m = await session.waitForDebug(
        "Claude Code to connect to baton",
        /MCP server "baton": (Successfully connected \(transport: (\w+)\) in (\d+)ms|.*[Ff]ailed.*)/,
        timeoutMs,
      );
      assert.ok(m[3], `baton did not connect: ${m[0]}\n${diagnostics()}`);
      return { ms: Number(m[3]), transport: m[2] };
    },
    // --dangerously-load-development-channels asks once per start: "I am using this for local
    // development" is the preselected answer.
    async acceptDevelopmentChannels() {
      await session.waitForScreen("the development channels warning", /I am using this for local development/, 30000);
      tmux(sock, ["send-keys", "-t", "cc", "Enter"]);
      await session.waitForScreen("the input prompt after the warning", /^❯[ \u00a0]*$/m, 30000);
    },
    // Waits for the input prompt, types `text` literally, then presses Enter.
    async submit(text) {
      await session.waitForScreen("the input prompt", /❯/, 30000);
      tmux(sock, ["send-keys", "-t", "cc", "-l", text]);
      await sleep(300);
      tmux(sock, ["send-keys", "-t", "cc", "Enter"]);
    },
    keys(...keys) {
      tmux(sock, ["send-keys", "-t", "cc", ...keys]);
    },
    alive: () => !stopped && procState(panePid) !== null && procState(panePid) !== "Z",
    // Kills the tmux server (claude gets SIGHUP and closes baton's stdin), then makes sure claude and
    // everything it started is gone. Idempotent.
    async stop() {
      if (stopped) return;
      const descendants = allDescendants(panePid);
      tmux(sock, ["kill-server"], { check: false });
      stopped = true;
      const pids = [panePid, ...descendants];
      const gone = () => pids.every((p) => procState(p) === null || procState(p) === "Z");
      const deadline = Date.now() + 5000;
      while (!gone() && Date.now() < deadline) await sleep(100);
      for (const p of pids) {
        if (procState(p) !== null && procState(p) !== "Z") {
          try {
            process.kill(p, "SIGKILL");
          } catch {}
        }
      }
      rmSync(`/tmp/tmux-${process.getuid()}/${sock}`, { force: true });
      assert.ok(gone() || (await sleep(500), gone()), `processes left after stopping Claude Code: ${pids}`);
    },
  };
  return session;
}

function allDescendants(pid) {
  const out = [];
  const queue = [pid];
  while (queue.length) {
    for (const kid of procChildren(queue.shift())) {
      out.push(kid);
      queue.push(kid);
    }
  }
  return out;
}

// What the model was shown in one Messages API request, as text: every message's text blocks and
// tool results, flattened (tool_result content may be a string or blocks).
export function transcript(body) {
  const parts = [];
  for (const m of body?.messages ?? []) {
    const content = typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content ?? [];
    for (const c of content) {
      if (c.type === "text") parts.push(`[${m.role}] ${c.text}`);
      else if (c.type === "tool_use") parts.push(`[${m.role} tool_use ${c.name}] ${JSON.stringify(c.input)}`);
      else if (c.type === "tool_result") parts.push(`[tool_result ${c.tool_use_id}] ${resultText(c)}`);
    }
  }
  return parts.join("\n");
}

// The text of a tool_result block (string content, or its text blocks joined).
export function resultText(block) {
  if (typeof block.content === "string") return block.content;
  return (block.content ?? [])
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("\n");
}

// The text of the last message of a request body, which must be the user's (a turn Claude Code
// started by itself carries a <task-notification> or <channel> message there).
export function lastUserText(body) {
  const last = body.messages.at(-1);
  assert.equal(last.role, "user");
  return resultText(last);
}

// The tool_result blocks in the last user message of a request body.
export function lastToolResults(body) {
  const last = body?.messages?.at(-1);
  if (!last || last.role !== "user" || !Array.isArray(last.content)) return [];
  return last.content.filter((c) => c.type === "tool_result");
}
