// The gateway's start: it binds its port before any upstream starts, is ready (/readyz 200) while
// an upstream process is still starting, and a call to that upstream waits for its handshake.
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../gateway/config.ts";
import { Gateway } from "../../../gateway/gateway.ts";
import type { Logger } from "../../../gateway/log.ts";
import { PolicyEngine } from "../../../gateway/policy/index.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";
import { rawRequest, within } from "../server/helpers.ts";
import { catalogOf, scriptedServer, stdio, textOf } from "../upstream/helpers.ts";

const temp = useTempDir("gatehouse-startup");
let policy: PolicyEngine;

beforeAll(async () => {
  policy = await PolicyEngine.fromDirectories(["policies"]);
}, 120_000);

/** A catalog whose one server, `slow`, answers nothing until the file `gate` exists. */
function slowCatalog(gate: string) {
  const catalog = catalogOf({ slow: stdio([scriptedServer, "--start-after", gate]) });
  catalog.servers.get("slow")!.tools = { echo: { risk: "read", tags: [] } };
  return catalog;
}

function recordingLog(): Logger & { messages: string[] } {
  const messages: string[] = [];
  return { messages, log: (_level, message) => void messages.push(message) };
}

describe("gateway start", { timeout: 60_000 }, () => {
  it("binds its port before starting upstreams: a port in use starts none", async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    const log = recordingLog();
    try {
      const config = loadConfig({ flags: { port, dev: true, dataDir: temp.path } });
      await expect(
        Gateway.start(config, { log, policy, catalog: slowCatalog(join(temp.path, "gate")) }),
      ).rejects.toThrow(/EADDRINUSE/);
      expect(log.messages.filter((m) => m.startsWith("upstream slow"))).toEqual([]);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("is ready while an upstream starts, and a call to it waits for its handshake", async () => {
    const gate = join(temp.path, "gate");
    const config = loadConfig({ flags: { port: 0, dev: true, dataDir: temp.path } });
    const gateway = await Gateway.start(config, {
      log: recordingLog(),
      policy,
      catalog: slowCatalog(gate),
    });
    const client = new Client({ name: "startup", version: "1.0.0" });
    try {
      const ready = await rawRequest(`${new URL(gateway.url).origin}/readyz`, { method: "GET" });
      expect(ready.status).toBe(200);
      expect(gateway.pool.status().map((s) => [s.name, s.state])).toEqual([["slow", "connecting"]]);

      await within(
        "connect",
        client.connect(new StreamableHTTPClientTransport(new URL(gateway.url))),
      );
      const call = client.callTool({ name: "slow__echo", arguments: { text: "hi" } });
      writeFileSync(gate, "");
      const result = await within("the call", call, 30_000);
      expect(textOf(result)).toBe("echo: hi");
      expect(gateway.pool.status().map((s) => s.state)).toEqual(["ready"]);
    } finally {
      await client.close();
      await gateway.close();
    }
  });
});
