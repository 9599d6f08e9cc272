// The MCP Inspector CLI driving `baton serve --stdio`. Each Inspector call starts its own
// front-end on the same database, so status also proves a job is found across sessions.
import { batonBin } from "./lib/harness.mjs";
import { inspectorScenario } from "./lib/inspector_scenario.mjs";

inspectorScenario("MCP Inspector CLI over stdio", async (tmp) => ({
  target: ["--", batonBin(), "serve", "--stdio", "--db", tmp.db],
  logs: () => "",
  stop: async () => {},
}));
