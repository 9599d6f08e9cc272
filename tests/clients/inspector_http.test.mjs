// The MCP Inspector CLI against `baton serve --http` (Streamable HTTP).
import { startHttp } from "./lib/harness.mjs";
import { inspectorScenario } from "./lib/inspector_scenario.mjs";

inspectorScenario("MCP Inspector CLI over Streamable HTTP", async (tmp) => {
  const srv = await startHttp(tmp);
  return { target: ["--transport", "http", "--", srv.url], logs: () => srv.logs(), stop: () => srv.stop() };
});
