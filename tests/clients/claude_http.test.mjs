// Claude Code registers a running `baton serve --http` (`claude mcp add --transport http`) and
// `claude mcp list` reports it Connected.
import { startHttp } from "./lib/harness.mjs";
import { claudeScenario } from "./lib/claude_scenario.mjs";

claudeScenario("Claude Code: claude mcp add --transport http / list", async (tmp) => {
  const srv = await startHttp(tmp);
  return { add: ["--transport", "http", "baton", srv.url], logs: () => srv.logs(), stop: () => srv.stop() };
});
