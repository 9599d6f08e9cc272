// Claude Code registers baton over stdio (`claude mcp add baton -- baton serve --stdio`) and
// `claude mcp list` reports it Connected; the health check leaves no process behind.
import { batonBin } from "./lib/harness.mjs";
import { claudeScenario } from "./lib/claude_scenario.mjs";

const setup = async (tmp) => ({
  add: ["baton", "--", batonBin(), "serve", "--stdio", "--db", `${tmp.dir}/b.db`],
  logs: () => "",
  stop: async () => {},
});
setup.healthCheckLeavesNothing = true;
claudeScenario("Claude Code: claude mcp add / list over stdio", setup);
