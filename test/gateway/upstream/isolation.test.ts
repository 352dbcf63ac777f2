// The pool hands out connections by connection key: server + session, server + principal, or the
// server alone (catalog `isolation`). Real stdio upstreams (the scripted fixture), one process per
// connection, so sharing is visible as shared state (a tool one caller added) and as processes.
import type { JSONRPCNotification } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  UpstreamError,
  type ConnectionScope,
  type UpstreamPool,
} from "../../../gateway/mcp/contracts.ts";
import { createUpstreamPool } from "../../../gateway/mcp/upstream/index.ts";
import {
  catalogOf,
  childPids,
  recordingLogger,
  scriptedServer,
  stdio,
  textOf,
  waitFor,
} from "./helpers.ts";

const ada1: ConnectionScope = { sessionId: "ada-1", principalKey: "principal-ada" };
const ada2: ConnectionScope = { sessionId: "ada-2", principalKey: "principal-ada" };
const bob1: ConnectionScope = { sessionId: "bob-1", principalKey: "principal-bob" };
const cy1: ConnectionScope = { sessionId: "cy-1", principalKey: "principal-cy" };

const toolNames = async (pool: UpstreamPool, server: string, scope: ConnectionScope) =>
  (await pool.connection(server, scope)!.list("tools")).map((t) => t.name);

const call = (pool: UpstreamPool, server: string, scope: ConnectionScope, tool: string) =>
  pool
    .connection(server, scope)!
    .request(
      { method: "tools/call", params: { name: tool, arguments: { text: scope.sessionId } } },
      { caller: { sessionId: scope.sessionId, requestId: 1 } },
    );

describe("connections by key", () => {
  const logger = recordingLogger();
  const notifications: Array<{ server: string; method: string; sessions?: string[] }> = [];
  let pool: UpstreamPool;

  beforeAll(async () => {
    pool = createUpstreamPool(
      catalogOf(
        {
          tenants: stdio([scriptedServer]),
          sessions: stdio([scriptedServer]),
          common: stdio([scriptedServer]),
        },
        {
          tenants: { max_connections: 2 },
          sessions: { isolation: "session" },
          common: { isolation: "shared" },
        },
      ),
      { logger },
    );
    pool.setClientHandlers({
      async onRequest() {
        throw new Error("not used");
      },
      onNotification(server, notification: JSONRPCNotification, _caller, sessions) {
        notifications.push({
          server,
          method: notification.method,
          ...(sessions ? { sessions: [...sessions].sort() } : {}),
        });
      },
    });
    await waitFor("probes", () => pool.status().every((s) => s.state === "ready"), 60_000);
  }, 90_000);

  afterAll(() => pool.close());

  it("stdio defaults to principal isolation: a principal's sessions share, principals do not", async () => {
    expect(pool.server("tenants")?.isolation).toBe("principal");
    const ada = pool.connection("tenants", ada1)!;
    expect(pool.connection("tenants", ada2)).toBe(ada);
    const bob = pool.connection("tenants", bob1)!;
    expect(bob).not.toBe(ada);
    expect(ada.key).toBe("tenants principal:principal-ad");
    expect([...ada.sessions()].sort()).toEqual(["ada-1", "ada-2"]);
    expect([...bob.sessions()]).toEqual(["bob-1"]);
  });

  it("keeps state and list caches per connection: what ada added, bob never lists", async () => {
    expect(await toolNames(pool, "tenants", bob1)).not.toContain("extra");
    expect(textOf(await call(pool, "tenants", ada1, "add-tool"))).toBe("added");
    await waitFor("ada's list_changed", () =>
      notifications.some((n) => n.server === "tenants" && n.method.endsWith("list_changed")),
    );
    // only ada's sessions were told
    expect(notifications.filter((n) => n.server === "tenants").map((n) => n.sessions)).toEqual([
      ["ada-1", "ada-2"],
    ]);
    expect(await toolNames(pool, "tenants", ada2)).toContain("extra");
    expect(await toolNames(pool, "tenants", bob1)).not.toContain("extra");
  });

  it("refuses a principal past max_connections instead of sharing, and reclaims a connection nobody is on", async () => {
    const refused = (() => {
      try {
        pool.connection("tenants", cy1);
      } catch (e) {
        return e;
      }
    })();
    expect(refused).toBeInstanceOf(UpstreamError);
    expect((refused as UpstreamError).message).toBe(
      "upstream tenants has no free connection: all 2 (isolation principal: one per principal) are in use, and connections are never shared between principals; retry later, or raise max_connections in tenants.yaml",
    );
    expect(pool.status().find((s) => s.name === "tenants")?.connections).toEqual({
      open: 2,
      ready: 2,
      max: 2,
    });
    // bob's only session ends: his connection is the one given up for cy
    const bob = pool.connection("tenants", bob1)!;
    pool.endSession(bob1);
    const cy = pool.connection("tenants", cy1)!;
    expect(cy).not.toBe(bob);
    await waitFor("bob's connection closed", () => bob.state() === "closed");
    expect(await toolNames(pool, "tenants", cy1)).not.toContain("extra");
  });

  it("session isolation: every session its own connection, closed when the session ends", async () => {
    const first = pool.connection("sessions", ada1)!;
    const second = pool.connection("sessions", ada2)!;
    expect(second).not.toBe(first);
    expect(first.key).toBe("sessions session:ada-1");
    await call(pool, "sessions", ada1, "add-tool");
    expect(await toolNames(pool, "sessions", ada2)).not.toContain("extra");
    pool.endSession(ada1);
    await waitFor("ada-1's connection closed", () => first.state() === "closed");
    expect(second.state()).not.toBe("closed");
    // the same session id coming back would get a fresh connection, not the closed one
    expect(pool.connection("sessions", ada1)).not.toBe(first);
  });

  it("shared isolation, declared: one connection for every caller", async () => {
    const common = pool.connection("common", ada1)!;
    expect(pool.connection("common", bob1)).toBe(common);
    expect(pool.connection("common", cy1)).toBe(common);
    expect(common.key).toBe("common");
    await call(pool, "common", bob1, "add-tool");
    expect(await toolNames(pool, "common", cy1)).toContain("extra");
    expect(pool.status().find((s) => s.name === "common")).toMatchObject({
      isolation: "shared",
      connections: { open: 1, max: 1 },
    });
  });
});

describe("idle principal connections", () => {
  let pool: UpstreamPool;
  const logger = recordingLogger();

  beforeAll(async () => {
    pool = createUpstreamPool(
      catalogOf({ idle: stdio([scriptedServer]) }, { idle: { idle_timeout_seconds: 1 } }),
      { logger },
    );
    await waitFor("probe", () => pool.status()[0]?.state === "ready", 60_000);
  }, 90_000);

  afterAll(() => pool.close());

  it("closes a principal's process once it is unused for idle_timeout_seconds, and starts a fresh one on the next call", async () => {
    const before = childPids().length;
    // the probe's process, unused, is the first caller's: no new process
    const first = pool.connection("idle", ada1)!;
    expect(textOf(await call(pool, "idle", ada1, "echo"))).toBe("echo: ada-1");
    expect(childPids().length).toBe(before);
    await waitFor("the idle connection closed", () => first.state() === "closed", 15_000);
    await waitFor("its process gone", () => childPids().length === before - 1, 15_000);
    expect(logger.text()).toMatch(/upstream idle: closing a connection \(it was idle for 1 s\)/);
    expect(pool.status()[0]?.connections.open).toBe(0);
    const second = pool.connection("idle", ada1)!;
    expect(second).not.toBe(first);
    expect(textOf(await call(pool, "idle", ada1, "echo"))).toBe("echo: ada-1");
  }, 60_000);
});
