// The pool against real stdio upstreams: server-everything and the scripted fixture.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JSONRPCNotification, Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  UpstreamError,
  type CallerRef,
  type ConnectionScope,
  type UpstreamPool,
} from "../../../gateway/mcp/contracts.ts";
import { createUpstreamPool } from "../../../gateway/mcp/upstream/index.ts";
import {
  catalogOf,
  childPids,
  everythingEntry,
  recordingLogger,
  scriptedServer,
  stdio,
  textOf,
  waitFor,
} from "./helpers.ts";

const fastBackoff = { initialMs: 100, maxMs: 400 };
/** one principal's scope: stdio servers are principal-scoped, so its callers share a process */
const tenant: ConnectionScope = { sessionId: "session-a", principalKey: "tenant-1" };
const alice: CallerRef = { sessionId: "session-a", requestId: 1 };
const bob: CallerRef = { sessionId: "session-b", requestId: "b-7" };

async function rejection(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

describe("a pool with server-everything and the scripted fixture over stdio", () => {
  const logger = recordingLogger();
  const requests: Array<{ server: string; method: string; caller?: CallerRef }> = [];
  const notifications: Array<{
    server: string;
    notification: JSONRPCNotification;
    caller?: CallerRef;
  }> = [];
  let pool: UpstreamPool;

  beforeAll(async () => {
    pool = createUpstreamPool(
      catalogOf({
        everything: stdio([everythingEntry, "stdio"]),
        scripted: stdio([scriptedServer]),
      }),
      { logger, backoff: fastBackoff },
    );
    pool.setClientHandlers({
      async onRequest(server, request, caller) {
        requests.push({ server, method: request.method, caller });
        if (request.method === "sampling/createMessage")
          return {
            role: "assistant",
            content: { type: "text", text: `hello ${caller?.sessionId}` },
            model: "test",
          };
        if (request.method === "elicitation/create")
          return { action: "accept", content: { name: "Ada" } };
        if (request.method === "roots/list") return { roots: [] };
        throw new Error(`unexpected ${request.method}`);
      },
      onNotification(server, notification, caller) {
        notifications.push({ server, notification, caller });
      },
    });
    await waitFor("both upstreams ready", () => pool.status().every((s) => s.state === "ready"));
  });

  afterAll(async () => {
    await pool.close();
  });

  it("reports each upstream's status, capabilities and server info", () => {
    expect(pool.names()).toEqual(["everything", "scripted"]);
    const status = pool.status();
    expect(status.map((s) => [s.name, s.transport, s.state, s.restarts])).toEqual([
      ["everything", "stdio", "ready", 0],
      ["scripted", "stdio", "ready", 0],
    ]);
    // known from the start-up probe, before anyone has a connection
    expect(pool.server("scripted")?.serverInfo()?.name).toBe("scripted");
    expect(pool.server("everything")?.capabilities()?.tools).toBeDefined();
    expect(pool.server("everything")?.isolation).toBe("principal");
    expect(pool.connection("nope", tenant)).toBeUndefined();
  });

  it("lists every tool across pages, and [] for a kind the upstream does not declare", async () => {
    const scripted = pool.connection("scripted", tenant)!;
    const tools = await scripted.list("tools");
    expect(tools.map((t) => t.name)).toEqual([
      "echo",
      "crash",
      "garbage",
      "sample",
      "elicit",
      "log",
      "env",
      "add-tool",
      "wait",
    ]);
    expect(await scripted.list("prompts")).toEqual([]);
    const everything = await pool.connection("everything", tenant)!.list("tools");
    expect(everything.map((t) => t.name)).toEqual(
      expect.arrayContaining(["echo", "get-sum", "trigger-long-running-operation"]),
    );
  });

  it("forwards a call and passes the result through", async () => {
    const result = await pool
      .connection("everything", tenant)!
      .request(
        { method: "tools/call", params: { name: "echo", arguments: { message: "hi there" } } },
        { caller: alice },
      );
    expect(textOf(result)).toContain("hi there");
  });

  it("relays an upstream's JSON-RPC error with its code and without the SDK's prefix", async () => {
    const error = await rejection(
      pool
        .connection("everything", tenant)!
        .request({ method: "no/such-method" }, { caller: alice }),
    );
    expect(error.code).toBe(-32601);
    expect(error.server).toBe("everything");
    expect(error.message).not.toMatch(/^MCP error/);
  });

  it("reports the upstream's progress to the caller", async () => {
    const progress: Progress[] = [];
    const result = await pool.connection("everything", tenant)!.request(
      {
        method: "tools/call",
        params: {
          name: "trigger-long-running-operation",
          arguments: { duration: 0.6, steps: 3 },
        },
      },
      { caller: alice, onProgress: (p) => progress.push(p) },
    );
    expect(textOf(result)).toContain("Long running operation completed");
    expect(progress.map((p) => [p.progress, p.total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it("cancels a call when the caller's signal aborts, and tells the upstream", async () => {
    const controller = new AbortController();
    const call = pool
      .connection("scripted", tenant)!
      .request(
        { method: "tools/call", params: { name: "wait" } },
        { caller: alice, signal: controller.signal },
      );
    setTimeout(() => controller.abort(), 200);
    const error = await rejection(call);
    expect(error.message).toMatch(/cancelled/);
    await waitFor("the upstream saw the cancellation", () =>
      logger.text().includes("wait cancelled"),
    );
  });

  it("relays a sampling request to the caller that caused it, and its answer back", async () => {
    const result = await pool
      .connection("scripted", tenant)!
      .request(
        { method: "tools/call", params: { name: "sample", arguments: { prompt: "say hi" } } },
        { caller: bob },
      );
    expect(textOf(result)).toBe("sampled: hello session-b");
    expect(requests.at(-1)).toEqual({
      server: "scripted",
      method: "sampling/createMessage",
      caller: bob,
    });
  });

  it("relays an elicitation request while another caller is in flight on another server", async () => {
    const other = pool.connection("everything", tenant)!.request(
      {
        method: "tools/call",
        params: {
          name: "trigger-long-running-operation",
          arguments: { duration: 0.5, steps: 1 },
        },
      },
      { caller: bob },
    );
    const result = await pool
      .connection("scripted", tenant)!
      .request({ method: "tools/call", params: { name: "elicit" } }, { caller: alice });
    expect(textOf(result)).toBe('elicited: accept {"name":"Ada"}');
    expect(requests.at(-1)).toEqual({
      server: "scripted",
      method: "elicitation/create",
      caller: alice,
    });
    await other;
  });

  it("attributes a server request to the most recent caller, or to the one its progressToken names", async () => {
    const scripted = pool.connection("scripted", tenant)!;
    const waiting = new AbortController();
    // alice's call asks for sampling only after bob's call started, naming itself by progressToken
    const aliceCall = scripted.request(
      {
        method: "tools/call",
        params: { name: "sample", arguments: { delayMs: 300, echoToken: true } },
      },
      { caller: alice, onProgress: () => undefined },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const bobCall = scripted.request(
      { method: "tools/call", params: { name: "wait" } },
      { caller: bob, signal: waiting.signal },
    );
    expect(textOf(await aliceCall)).toBe("sampled: hello session-a");
    expect(requests.at(-1)?.caller).toEqual(alice);

    // without a token, the most recent caller in flight (carol, after bob) gets it
    const carol: CallerRef = { sessionId: "session-c", requestId: 9 };
    expect(
      textOf(
        await scripted.request(
          { method: "tools/call", params: { name: "sample" } },
          { caller: carol },
        ),
      ),
    ).toBe("sampled: hello session-c");
    waiting.abort();
    await bobCall.catch(() => undefined);
  });

  it("delivers a log message sent during a call to that call's caller", async () => {
    await pool
      .connection("scripted", tenant)!
      .request(
        { method: "tools/call", params: { name: "log", arguments: { tag: "x1" } } },
        { caller: bob },
      );
    const log = notifications.find(
      (n) =>
        n.notification.method === "notifications/message" &&
        JSON.stringify(n.notification.params).includes("x1"),
    );
    expect(log?.caller).toEqual(bob);
    expect(log?.server).toBe("scripted");
  });

  it("drops the cached list on list_changed and passes the notification on", async () => {
    const scripted = pool.connection("scripted", tenant)!;
    expect(await scripted.list("tools")).toHaveLength(9);
    await scripted.request(
      { method: "tools/call", params: { name: "add-tool" } },
      { caller: alice },
    );
    await waitFor("list_changed", () =>
      notifications.some(
        (n) =>
          n.server === "scripted" && n.notification.method === "notifications/tools/list_changed",
      ),
    );
    const changed = notifications.find(
      (n) =>
        n.notification.method === "notifications/tools/list_changed" && n.server === "scripted",
    );
    expect(changed?.caller).toBeUndefined();
    expect((await scripted.list("tools")).map((t) => t.name)).toContain("extra");
  });

  it("fails a call to an upstream that answers with garbage, logs it once, and stays up", async () => {
    const scripted = pool.connection("scripted", tenant)!;
    const error = await rejection(
      scripted.request(
        { method: "tools/call", params: { name: "garbage" } },
        { caller: alice, timeoutMs: 500 },
      ),
    );
    expect(error.code).toBe(-32001);
    expect(error.message).toMatch(
      /did not answer tools\/call within 500 ms; it wrote output that is not JSON-RPC/,
    );
    await rejection(
      scripted.request(
        { method: "tools/call", params: { name: "garbage" } },
        { caller: alice, timeoutMs: 300 },
      ),
    );
    expect(logger.entries.filter((e) => e.message.includes("not JSON-RPC"))).toHaveLength(1);
    const echo = await scripted.request(
      { method: "tools/call", params: { name: "echo", arguments: { text: "still here" } } },
      { caller: alice },
    );
    expect(textOf(echo)).toBe("echo: still here");
  });

  it("fails the caller when the upstream crashes mid-call, restarts it, and leaves the other server alone", async () => {
    const scripted = pool.connection("scripted", tenant)!;
    const slowOther = pool.connection("everything", tenant)!.request(
      {
        method: "tools/call",
        params: { name: "trigger-long-running-operation", arguments: { duration: 1, steps: 2 } },
      },
      { caller: bob },
    );
    const error = await rejection(
      scripted.request({ method: "tools/call", params: { name: "crash" } }, { caller: alice }),
    );
    expect(error.code).toBe(-32603);
    expect(error.message).toBe(
      "upstream scripted closed the connection while handling the request; it is being restarted",
    );
    expect(["restarting", "failed", "connecting"]).toContain(scripted.state());

    await waitFor("scripted is back", () => scripted.state() === "ready");
    const status = pool.status().find((s) => s.name === "scripted")!;
    expect(status.restarts).toBe(1);
    expect(status.lastError).toBe("the process exited");
    const echo = await scripted.request(
      { method: "tools/call", params: { name: "echo", arguments: { text: "again" } } },
      { caller: alice },
    );
    expect(textOf(echo)).toBe("echo: again");

    expect(textOf(await slowOther)).toContain("completed");
    expect(pool.status().find((s) => s.name === "everything")).toMatchObject({
      state: "ready",
      restarts: 0,
    });
  });

  it("close() stops every child process, is idempotent, and refuses later calls", async () => {
    expect(childPids().length).toBeGreaterThanOrEqual(2);
    const scripted = pool.connection("scripted", tenant)!;
    await Promise.all([pool.close(), pool.close()]);
    expect(childPids()).toEqual([]);
    expect(pool.status().map((s) => s.state)).toEqual(["closed", "closed"]);
    const error = await rejection(scripted.request({ method: "ping" }, { caller: alice }));
    expect(error.message).toMatch(/closed \(the gateway is shutting down\)/);
    expect(() => pool.connection("scripted", tenant)).toThrow(/closed/);
  });
});

describe("bounded concurrency per upstream", () => {
  let pool: UpstreamPool;
  beforeAll(() => {
    pool = createUpstreamPool(catalogOf({ scripted: stdio([scriptedServer]) }), {
      logger: recordingLogger(),
      maxInFlight: 1,
      maxQueued: 1,
    });
  });
  afterAll(() => pool.close());

  it("runs the limit, queues the next, and refuses beyond the queue", async () => {
    const scripted = pool.connection("scripted", tenant)!;
    await waitFor("ready", () => scripted.state() === "ready");
    const stop = new AbortController();
    const running = scripted.request(
      { method: "tools/call", params: { name: "wait" } },
      { caller: alice, signal: stop.signal },
    );
    const queued = scripted.request(
      { method: "tools/call", params: { name: "echo", arguments: { text: "queued" } } },
      { caller: bob },
    );
    const refused = await rejection(scripted.request({ method: "ping" }, { caller: bob }));
    expect(refused.message).toBe(
      "upstream scripted is busy: 1 requests in flight and 1 queued (the limit)",
    );
    stop.abort();
    await running.catch(() => undefined);
    expect(textOf(await queued)).toBe("echo: queued");
  });
});

describe("a stdio upstream's environment", () => {
  const logger = recordingLogger();
  let pool: UpstreamPool;

  beforeAll(() => {
    pool = createUpstreamPool(
      catalogOf({
        scripted: stdio([scriptedServer], {
          FIXTURE_TOKEN: "env:GATEWAY_SECRET",
          MODE: "literal-mode",
        }),
      }),
      {
        logger,
        env: {
          PATH: process.env.PATH,
          GATEWAY_SECRET: "s3cret-value-42",
          HOME: "/home/gateway",
          OTHER: "not for children",
        },
      },
    );
  });
  afterAll(() => pool.close());

  it("holds only the catalog's variables (secrets resolved) and PATH", async () => {
    const scripted = pool.connection("scripted", tenant)!;
    await waitFor("ready", () => scripted.state() === "ready");
    const result = await scripted.request(
      { method: "tools/call", params: { name: "env" } },
      { caller: alice },
    );
    const env = JSON.parse(textOf(result)) as Record<string, string>;
    expect(Object.keys(env).sort()).toEqual(["FIXTURE_TOKEN", "MODE", "PATH"]);
    expect(env.FIXTURE_TOKEN).toBe("s3cret-value-42");
    expect(env.MODE).toBe("literal-mode");
  });

  it("answers an upstream's sampling request with an error when no client handlers are set", async () => {
    const error = await rejection(
      pool
        .connection("scripted", tenant)!
        .request({ method: "tools/call", params: { name: "sample" } }, { caller: alice }),
    );
    expect(error.message).toMatch(/gatehouse has no client to relay sampling\/createMessage to/);
  });

  it("never logs the resolved secret, even when the upstream prints it", async () => {
    await waitFor("the token line", () => logger.text().includes("token is"));
    expect(logger.text()).toContain("token is [redacted]");
    expect(logger.text()).not.toContain("s3cret-value-42");
  });
});

describe("an upstream that is down when the pool starts", () => {
  const logger = recordingLogger();
  const marker = join(mkdtempSync(join(tmpdir(), "gatehouse-upstream-")), "up");
  let pool: UpstreamPool;

  beforeAll(() => {
    pool = createUpstreamPool(
      catalogOf({
        late: stdio([scriptedServer, "--require-file", marker]),
        missing: { type: "stdio", command: "/nonexistent/gatehouse-upstream", args: [], env: {} },
      }),
      { logger, backoff: fastBackoff, readyWaitMs: 200 },
    );
  });
  afterAll(() => pool.close());

  it("is marked failed without failing the pool, refuses calls clearly, and becomes ready once it comes up", async () => {
    const late = pool.connection("late", tenant)!;
    await waitFor("a failed attempt", () => pool.status().every((s) => s.lastError !== undefined));
    const error = await rejection(
      late.request({ method: "tools/call", params: { name: "echo" } }, { caller: alice }),
    );
    expect(error.code).toBe(-32603);
    expect(error.message).toMatch(/^upstream late is not available/);

    writeFileSync(marker, "");
    await waitFor("late is ready", () => late.state() === "ready");
    const echo = await late.request(
      { method: "tools/call", params: { name: "echo", arguments: { text: "up" } } },
      { caller: alice },
    );
    expect(textOf(echo)).toBe("echo: up");

    const missing = pool.status().find((s) => s.name === "missing")!;
    expect(missing.state).not.toBe("ready");
    expect(missing.lastError).toMatch(/ENOENT/);
    // a failure that repeats is logged once
    expect(
      logger.entries.filter((e) => e.message.startsWith("upstream missing could not connect")),
    ).toHaveLength(1);
  });
});
