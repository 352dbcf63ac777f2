// End to end over real HTTP: the SDK's Client -> gatehouse (Gateway.start, the repo's policies/,
// the development principal in group eng) -> real upstreams: server-everything over Streamable
// HTTP (a child process) and a scripted server over stdio that can crash and change its tools.
import type { ChildProcess } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalog, ToolMetadata } from "../../../gateway/catalog/index.ts";
import { loadConfig } from "../../../gateway/config.ts";
import { Gateway } from "../../../gateway/gateway.ts";
import { silentLogger } from "../../../gateway/log.ts";
import { within } from "../server/helpers.ts";
import {
  catalogOf,
  freePort,
  scriptedServer,
  startEverythingHttp,
  stdio,
  stopChild,
  textOf,
  waitFor,
} from "../upstream/helpers.ts";

const meta = (risk: ToolMetadata["risk"]): ToolMetadata => ({ risk, tags: [] });

function testCatalog(everythingPort: number): Catalog {
  const catalog = catalogOf({
    everything: { type: "http", url: `http://127.0.0.1:${everythingPort}/mcp`, headers: {} },
    scripted: stdio([scriptedServer]),
  });
  // eng holds "developer" (read+write on everything) and "reader" (read everywhere): see
  // policies/access/data.yaml. Destructive tools need an explicit grant, which eng lacks.
  catalog.servers.get("everything")!.tools = {
    echo: meta("read"),
    "trigger-long-running-operation": meta("read"),
    "get-env": meta("destructive"),
  };
  catalog.servers.get("scripted")!.tools = {
    echo: meta("read"),
    crash: meta("read"),
    "add-tool": meta("read"),
    extra: meta("read"),
    env: meta("write"), // scripted is not among eng's write grants
  };
  return catalog;
}

let everything: ChildProcess | undefined;
let gateway: Gateway;
let client: Client;

beforeAll(async () => {
  const port = await freePort();
  everything = await startEverythingHttp("streamableHttp", port);
  const config = loadConfig({ flags: { port: 0, dev: true } });
  gateway = await Gateway.start(config, { log: silentLogger, catalog: testCatalog(port) });
  await waitFor(
    "upstreams ready",
    () => gateway.pool.status().every((s) => s.state === "ready"),
    30_000,
  );
  client = new Client({ name: "e2e", version: "1.0.0" });
  await within("connect", client.connect(new StreamableHTTPClientTransport(new URL(gateway.url))));
}, 60_000);

afterAll(async () => {
  await client?.close();
  await gateway?.close();
  await stopChild(everything);
});

const call = (name: string, args: Record<string, unknown> = {}) =>
  within(name, client.callTool({ name, arguments: args }), 30_000);

async function errorOf(promise: Promise<unknown>): Promise<McpError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof McpError) return e;
    throw e;
  }
  throw new Error("expected the call to fail");
}

describe("through the gateway", () => {
  it("lists the tools of both upstreams, filtered by the policy", async () => {
    const { tools } = await within("tools/list", client.listTools());
    const names = tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(["everything__echo", "scripted__echo", "scripted__crash"]),
    );
    // destructive without a grant, and write outside eng's servers: not visible
    expect(names).not.toContain("everything__get-env");
    expect(names).not.toContain("scripted__env");
  });

  it("calls an allowed tool on the Streamable HTTP upstream", async () => {
    const result = await call("everything__echo", { message: "over http" });
    expect(textOf(result)).toContain("over http");
  });

  it("denies a tool the policy refuses, with the reason and a decision id", async () => {
    const error = await errorOf(call("everything__get-env"));
    expect(error.code).toBe(-32003);
    // the policy author's reason (data.access.denied_tools) comes before "no role allows this"
    expect(error.message).toMatch(
      /denied by policy: get-env is not allowed on server everything: dumps the upstream's environment/,
    );
    const data = error.data as { decision_id: string; reasons: string[] };
    expect(data.decision_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(data.reasons.length).toBeGreaterThan(0);
  });

  it("relays progress notifications with the client's own token", async () => {
    const progress: number[] = [];
    const result = await within(
      "long operation",
      client.callTool(
        {
          name: "everything__trigger-long-running-operation",
          arguments: { duration: 1, steps: 3 },
        },
        undefined,
        { onprogress: (p) => progress.push(p.progress), timeout: 30_000 },
      ),
      30_000,
    );
    expect(textOf(result)).toMatch(/completed/i);
    expect(progress).toEqual([1, 2, 3]);
  });

  it("cancels a long call when the client aborts it", async () => {
    const controller = new AbortController();
    const pending = client.callTool(
      {
        name: "everything__trigger-long-running-operation",
        arguments: { duration: 20, steps: 20 },
      },
      undefined,
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort("changed my mind"), 300);
    await expect(within("cancelled call", pending, 10_000)).rejects.toThrow(
      /changed my mind|abort/i,
    );
    // the session is still usable
    expect(textOf(await call("everything__echo", { message: "after cancel" }))).toContain(
      "after cancel",
    );
  });

  it("passes list_changed on and lists the new tool", async () => {
    const changed = new Promise<void>((resolve) =>
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()),
    );
    await call("scripted__add-tool");
    await within("list_changed", changed, 10_000);
    const { tools } = await within("tools/list", client.listTools());
    expect(tools.map((t) => t.name)).toContain("scripted__extra");
  });

  it("answers a crash mid-call with an error, restarts the upstream, and the next call works", async () => {
    const error = await errorOf(call("scripted__crash"));
    expect(error.message).toMatch(/upstream scripted closed the connection/);
    // the other upstream is unaffected meanwhile
    expect(textOf(await call("everything__echo", { message: "still here" }))).toContain(
      "still here",
    );
    await waitFor(
      "scripted restarted",
      () => gateway.pool.status().find((s) => s.name === "scripted")?.state === "ready",
      20_000,
    );
    expect(textOf(await call("scripted__echo", { text: "back" }))).toBe("echo: back");
    expect(gateway.pool.status().find((s) => s.name === "scripted")?.restarts).toBe(1);
  });
});
