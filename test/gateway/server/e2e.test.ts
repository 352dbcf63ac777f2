// The real parts together: Gateway.start with the real upstream pool, the real per-session server
// and the repo's policies, fronting server-everything over stdio; the SDK's real Client downstream.
// Also `gatehouse serve --dev` as a child process.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../gateway/config.ts";
import { Gateway } from "../../../gateway/gateway.ts";
import { silentLogger } from "../../../gateway/log.ts";
import { rawRequest, within } from "./helpers.ts";

const require = createRequire(import.meta.url);
const everythingEntry = join(
  dirname(require.resolve("@modelcontextprotocol/server-everything/package.json")),
  "dist/index.js",
);
// the installed `gatehouse` command, which also passes SIGTERM on to the CLI process it starts
const launcher = join(import.meta.dirname, "../../../cli/bin/gatehouse.js");

/** A catalog folder with server-everything (as `everything`, which the default policy grants to eng). */
function testCatalog(withServer: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-catalog-"));
  mkdirSync(join(dir, "servers"));
  if (withServer) {
    writeFileSync(
      join(dir, "servers", "everything.yaml"),
      [
        "name: everything",
        "transport:",
        "  type: stdio",
        `  command: ${JSON.stringify(process.execPath)}`,
        `  args: [${JSON.stringify(everythingEntry)}, "stdio"]`,
        "tools:",
        "  echo: { risk: read }",
        "tool_defaults:",
        "  risk: write",
        "",
      ].join("\n"),
    );
  }
  return dir;
}

async function upstreamReady(gateway: Gateway): Promise<void> {
  while (!gateway.pool.status().every((s) => s.state === "ready")) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("gateway with real upstreams", () => {
  let gateway: Gateway;
  beforeAll(async () => {
    const config = loadConfig({ flags: { port: 0, dev: true, catalogDir: testCatalog(true) } });
    gateway = await Gateway.start(config, { log: silentLogger });
    await within("upstream ready", upstreamReady(gateway), 30_000);
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
  });

  it("lists namespaced tools and calls one through the SDK client", async () => {
    const client = new Client({ name: "e2e", version: "0" });
    try {
      await within(
        "connect",
        client.connect(new StreamableHTTPClientTransport(new URL(gateway.url))),
      );
      const { tools } = await within("tools/list", client.listTools());
      expect(tools.map((t) => t.name)).toContain("everything__echo");
      const result = await within(
        "tools/call",
        client.callTool({
          name: "everything__echo",
          arguments: { message: "through the gateway" },
        }),
      );
      expect(JSON.stringify(result.content)).toContain("through the gateway");
    } finally {
      await client.close();
    }
  }, 60_000);

  it("reports ready with the active policy revision", async () => {
    const ready = await rawRequest(`${new URL(gateway.url).origin}/readyz`, { method: "GET" });
    expect(ready.status).toBe(200);
    expect(ready.json.policyRevision).toBe(gateway.current().policy.revision);
  });
});

describe("gatehouse serve", () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
  });

  it("prints its URL, answers /healthz and exits 0 on SIGTERM", async () => {
    child = spawn(
      process.execPath,
      [launcher, "serve", "--dev", "--port", "0", "--catalog", testCatalog(false)],
      { cwd: join(import.meta.dirname, "../../.."), stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    const line = await within(
      "serve to start",
      new Promise<string>((resolve, reject) => {
        child!.stdout!.on("data", (c: Buffer) => {
          stdout += c.toString();
          if (stdout.includes("\n")) resolve(stdout.split("\n")[0]!);
        });
        child!.once("exit", (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
      }),
      60_000,
    );
    expect(line).toMatch(
      /^gatehouse: serving http:\/\/127\.0\.0\.1:\d+\/mcp \(policy revision \S+, DEVELOPMENT PRINCIPAL/,
    );
    const url = /(http:\/\/\S+)\/mcp/.exec(line)![1]!;
    const health = await rawRequest(`${url}/healthz`, { method: "GET" });
    expect(health.status).toBe(200);
    expect(stderr).toContain("DEVELOPMENT PRINCIPAL");
    const exited = new Promise<number | null>((resolve) =>
      child!.once("exit", (code) => resolve(code)),
    );
    child.kill("SIGTERM");
    expect(await within("exit", exited)).toBe(0);
  }, 90_000);
});
