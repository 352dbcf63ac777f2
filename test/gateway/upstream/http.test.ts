// The pool against real HTTP upstreams: server-everything over Streamable HTTP and legacy SSE, and
// a web server that answers HTML.
import type { ChildProcess } from "node:child_process";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  UpstreamError,
  type CallerRef,
  type ConnectionScope,
  type UpstreamPool,
} from "../../../gateway/mcp/contracts.ts";
import { createUpstreamPool } from "../../../gateway/mcp/upstream/index.ts";
import { loopbackEgress } from "../../helpers/egress.ts";
import {
  catalogOf,
  freePort,
  recordingLogger,
  startEverythingHttp,
  stopChild,
  textOf,
  waitFor,
} from "./helpers.ts";

const caller: CallerRef = { sessionId: "session-h", requestId: 3 };
/** HTTP servers are session-scoped: this session's own upstream MCP sessions */
const scope: ConnectionScope = { sessionId: "session-h", principalKey: "tenant-h" };

describe("a pool with HTTP upstreams", () => {
  const logger = recordingLogger();
  const sampled: Array<CallerRef | undefined> = [];
  let streamable: ChildProcess | undefined;
  let sse: ChildProcess | undefined;
  let html: HttpServer;
  let streamablePort: number;
  let pool: UpstreamPool;

  beforeAll(async () => {
    streamablePort = await freePort();
    const ssePort = await freePort();
    [streamable, sse] = await Promise.all([
      startEverythingHttp("streamableHttp", streamablePort),
      startEverythingHttp("sse", ssePort),
    ]);
    html = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html><body>Welcome to nginx!</body></html>");
    });
    await new Promise<void>((resolve) => html.listen(0, "127.0.0.1", resolve));
    const htmlPort = (html.address() as AddressInfo).port;
    pool = createUpstreamPool(
      catalogOf({
        web: {
          type: "http",
          url: `http://127.0.0.1:${streamablePort}/mcp`,
          headers: { "x-api-key": "env:UPSTREAM_KEY" },
        },
        legacy: { type: "sse", url: `http://127.0.0.1:${ssePort}/sse`, headers: {} },
        html: { type: "http", url: `http://127.0.0.1:${htmlPort}/mcp`, headers: {} },
      }),
      {
        logger,
        backoff: { initialMs: 100, maxMs: 400 },
        env: { UPSTREAM_KEY: "key-that-must-not-leak" },
        egress: loopbackEgress(),
      },
    );
    pool.setClientHandlers({
      async onRequest(_server, request, from) {
        if (request.method !== "sampling/createMessage")
          throw new Error(`unexpected ${request.method}`);
        sampled.push(from);
        return { role: "assistant", content: { type: "text", text: "over http" }, model: "test" };
      },
      onNotification() {},
    });
    const probed = (name: string) => pool.status().find((s) => s.name === name)?.state;
    await waitFor(
      "web and legacy probed",
      () => probed("web") === "ready" && probed("legacy") === "ready",
    );
  });

  afterAll(async () => {
    await pool?.close();
    await Promise.all([stopChild(streamable), stopChild(sse)]);
    await new Promise((resolve) => html?.close(resolve));
  });

  it("lists and calls tools over Streamable HTTP, with progress", async () => {
    const web = pool.connection("web", scope)!;
    expect((await web.list("tools")).map((t) => t.name)).toEqual(
      expect.arrayContaining(["echo", "get-sum"]),
    );
    const echo = await web.request(
      { method: "tools/call", params: { name: "echo", arguments: { message: "via http" } } },
      { caller },
    );
    expect(textOf(echo)).toContain("via http");
    const progress: Progress[] = [];
    await web.request(
      {
        method: "tools/call",
        params: { name: "trigger-long-running-operation", arguments: { duration: 0.4, steps: 2 } },
      },
      { caller, onProgress: (p) => progress.push(p) },
    );
    expect(progress.map((p) => p.progress)).toEqual([1, 2]);
  });

  it("relays a sampling request over Streamable HTTP to the caller", async () => {
    const result = await pool.connection("web", scope)!.request(
      {
        method: "tools/call",
        params: { name: "trigger-sampling-request", arguments: { prompt: "hi" } },
      },
      { caller },
    );
    expect(JSON.stringify(result)).toContain("over http");
    expect(sampled).toEqual([caller]);
  });

  it("lists and calls tools over legacy SSE", async () => {
    const legacy = pool.connection("legacy", scope)!;
    expect(pool.status().find((s) => s.name === "legacy")?.transport).toBe("sse");
    const echo = await legacy.request(
      { method: "tools/call", params: { name: "echo", arguments: { message: "via sse" } } },
      { caller },
    );
    expect(textOf(echo)).toContain("via sse");
  });

  it("keeps an upstream that answers HTML failed, with a clear error, logged once", async () => {
    await waitFor("two attempts on html", () =>
      logger.entries.some((e) => e.message.startsWith("upstream html could not connect")),
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // let it retry at least once more
    const status = pool.status().find((s) => s.name === "html")!;
    expect(status.state).not.toBe("ready");
    expect(status.lastError).toMatch(/text\/html/);
    expect(
      logger.entries.filter((e) => e.message.startsWith("upstream html could not connect")),
    ).toHaveLength(1);
    const error = await pool
      .connection("html", scope)!
      .request({ method: "ping" }, { caller })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).message).toMatch(/^upstream html is not available/);
  });

  it("fails in-flight calls when the HTTP upstream dies, and reconnects when it is back", async () => {
    const web = pool.connection("web", scope)!;
    // caught at once: the call may fail while the upstream is being stopped
    const call = web
      .request(
        {
          method: "tools/call",
          params: { name: "trigger-long-running-operation", arguments: { duration: 5, steps: 5 } },
        },
        { caller },
      )
      .catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await stopChild(streamable);
    const error = await call;
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).code).toBe(-32603);
    expect(pool.connection("legacy", scope)!.state()).toBe("ready");

    streamable = await startEverythingHttp("streamableHttp", streamablePort);
    await waitFor("web is back", () => web.state() === "ready", 15_000);
    expect(pool.status().find((s) => s.name === "web")!.restarts).toBeGreaterThanOrEqual(1);
    const echo = await web.request(
      { method: "tools/call", params: { name: "echo", arguments: { message: "back" } } },
      { caller },
    );
    expect(textOf(echo)).toContain("back");
  });

  it("never logs the resolved header secret", () => {
    expect(logger.text()).not.toContain("key-that-must-not-leak");
  });
});
