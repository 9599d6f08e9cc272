// Claude Code channels (research preview) with baton: baton started with --prefer-legacy-protocol
// puts Claude Code on the 2025 path, where baton declares capabilities.experimental
// ["claude/channel"]; in an interactive session started with
// `--dangerously-load-development-channels server:baton`, the end of a job this session enqueued
// reaches the model as a `<channel source="baton" …>` message that starts a new turn.
//
// Channels need Claude Code's feature flags, which it reads only while its non-essential traffic
// is on: the session runs in a private network namespace (lib/claude_tmux.mjs, apiSocket), so that
// nothing can leave the machine.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import {
  lastToolResults,
  lastUserText,
  privateNetworkProblem,
  resultText,
  startClaudeSession,
  tmuxAvailable,
} from "./lib/claude_tmux.mjs";
import { makeTmp, sleep } from "./lib/harness.mjs";
import { startModelStandIn } from "./lib/model_standin.mjs";

assert.ok(tmuxAvailable(), "tmux is needed to drive Claude Code interactively (apt-get install tmux)");
{
  const problem = privateNetworkProblem();
  assert.equal(problem, null, `the channels test runs Claude Code in a private network namespace: ${problem}`);
}


// <channel source="baton" job_id="7" state="failed" queue="default">\ncontent\n</channel>
function channelMessages(text) {
  return [...text.matchAll(/<channel ([^>]*)>\n?([\s\S]*?)\n?<\/channel>/g)].map((m) => ({
    attrs: Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
    content: m[2],
  }));
}

describe("Claude Code channels: a job's end reaches the model as a <channel> message", () => {
  let tmp;
  let api;
  let cc;
  before(async () => {
    tmp = makeTmp("claude-channels");
    const apiSocket = join(tmp.dir, "model-api.sock");
    api = await startModelStandIn({
      unixSocket: apiSocket,
      script: [
        {
          toolUse: {
            name: "mcp__baton__enqueue",
            input: { command: ["sh", "-c", "sleep 2; echo 'tests: 3 failed' >&2; exit 3"] },
          },
        },
        { text: "Enqueued; I will hear from baton when it ends." },
        (body) => ({ text: `Heard: ${channelMessages(lastUserText(body))[0]?.content}` }),
      ],
    });
    cc = await startClaudeSession(tmp, {
      apiSocket,
      channels: ["server:baton"],
      batonArgs: ["serve", "--stdio", "--db", tmp.db, "--prefer-legacy-protocol"],
    });
  });
  after(async () => {
    try {
      await cc?.stop();
      await api?.close();
    } finally {
      tmp?.cleanup();
    }
  });

  test("Claude Code takes the 2025 path and registers baton's channel", { timeout: 90000 }, async () => {
    await cc.acceptDevelopmentChannels();
    await cc.waitForBaton();
    const established = await cc.waitForDebug(
      "the connection's capabilities",
      /MCP server "baton": Connection established with capabilities: (\{.*\})/,
      10000,
    );
    assert.equal(JSON.parse(established[1]).protocolEra, "legacy", established[0]);
    await cc.waitForDebug("the channel to be registered", /MCP server "baton": Channel notifications registered/, 10000);
  });

  let jobId;
  test("the model enqueues a job", { timeout: 60000 }, async () => {
    await cc.submit("Run the tests in the background; tell me when they end.");
    const second = await api.waitFor("the request after enqueue", () => api.turns[1], 60000);
    const [result] = lastToolResults(second.body);
    const enq = JSON.parse(resultText(result));
    assert.equal(typeof enq.job_id, "number", JSON.stringify(enq));
    jobId = enq.job_id;
  });

  test("when the job ends, a <channel> message starts the model's next turn", { timeout: 90000 }, async () => {
    assert.ok(jobId, "no job was enqueued (see the test before)");
    const third = await api.waitFor("the turn the channel message starts", () => api.turns[2], 60000);
    const channels = channelMessages(lastUserText(third.body));
    assert.equal(channels.length, 1, `expected one <channel> message: ${lastUserText(third.body)}`);
    const [msg] = channels;
    assert.deepEqual(msg.attrs, { source: "baton", job_id: String(jobId), state: "failed", queue: "default" });
    assert.match(msg.content, new RegExp(`^job ${jobId} \`sh -c .*\` failed \\(exit 3\\)`), msg.content);
    assert.match(msg.content, /tests: 3 failed/, "the channel message does not carry the job's last lines");
    await cc.waitForScreen("the channel message on screen", new RegExp(`baton: job ${jobId} `), 10000);
  });

  test("the job's end is told once", { timeout: 30000 }, async () => {
    // Nothing else is happening in the session: another channel message would start another turn.
    await sleep(5000);
    assert.equal(api.turns.length, 3, `unexpected turns: ${api.turns.slice(3).map((t) => lastUserText(t.body)).join("\n")}`);
  });
});
