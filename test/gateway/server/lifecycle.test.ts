// The SDK's real Client against the gateway (stand-in session server), graceful shutdown, idle
// expiry and the bounded event store.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { request as httpRequest } from "node:http";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { LATEST_PROTOCOL_VERSION, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../../gateway/config.ts";
import { silentLogger } from "../../../gateway/log.ts";
import { BoundedEventStore } from "../../../gateway/mcp/event-store.ts";
import { SessionManager } from "../../../gateway/mcp/sessions.ts";
import {
  emptyPool,
  newGate,
  openSession,
  rawRequest,
  standInSessionServer,
  startStandInGateway,
  within,
} from "./helpers.ts";

describe("SDK client round trip", () => {
  it("initializes, lists tools, calls one and ends the session", async () => {
    const gateway = await startStandInGateway();
    const client = new Client({ name: "round-trip", version: "0" });
    try {
      const transport = new StreamableHTTPClientTransport(new URL(gateway.url));
      await within("connect", client.connect(transport));
      expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      const { tools } = await within("tools/list", client.listTools());
      expect(tools.map((t) => t.name)).toEqual(["echo", "wait"]);
      expect(tools[0]!.description).toBe("for dev");
      const result = await within("tools/call", client.callTool({ name: "echo", arguments: {} }));
      expect(result.content).toEqual([{ type: "text", text: "called echo" }]);
      await within("terminate", transport.terminateSession());
      expect(transport.sessionId).toBeUndefined();
    } finally {
      await client.close();
      await gateway.close();
    }
  });
});

describe("graceful shutdown", () => {
  it("stops accepting connections but finishes the call in flight", async () => {
    const gate = newGate();
    const gateway = await startStandInGateway(
      {},
      { createSessionServer: standInSessionServer(gate) },
    );
    const base = new URL(gateway.url).origin;
    const client = new Client({ name: "shutdown", version: "0" });
    try {
      await within(
        "connect",
        client.connect(new StreamableHTTPClientTransport(new URL(gateway.url))),
      );
      const call = client.callTool({ name: "wait", arguments: {} });
      await within("call started", gate.started);
      const closed = gateway.close();
      await expect(
        within("refused", rawRequest(`${base}/healthz`, { method: "GET" })),
      ).rejects.toThrow(/ECONNREFUSED/);
      gate.release();
      const result = await within("in-flight call", call);
      expect(result.content).toEqual([{ type: "text", text: "called wait" }]);
      await within("close", closed);
    } finally {
      gate.release();
      await client.close();
      await gateway.close();
    }
  });
});

describe("SessionManager", () => {
  it("expires idle sessions but not ones with a request inside", async () => {
    let now = 1_000_000;
    const manager = new SessionManager({
      limits: { ...DEFAULT_LIMITS, sessionIdleMs: 1000 },
      separator: "__",
      createSessionServer: standInSessionServer(),
      context: {
        current: () => {
          throw new Error("unused");
        },
        pool: emptyPool(),
      },
      log: silentLogger,
      now: () => now,
    });
    try {
      const principal = { sub: "dev", auth: "dev" as const };
      const idle = await manager.open(principal, { kind: "all" }, {});
      const busy = await manager.open(principal, { kind: "all" }, {});
      manager.markInitialized(idle);
      manager.markInitialized(busy);
      const leave = manager.enter(busy);
      now += 5000;
      expect(await manager.expireIdle()).toBe(1);
      expect(manager.store.get(idle.id)).toBeUndefined();
      expect(manager.store.get(busy.id)).toBe(busy);
      leave();
      now += 5000;
      expect(await manager.expireIdle()).toBe(1);
      expect(manager.store.size()).toBe(0);
      expect(manager.store.countFor(busy.quotaKey)).toBe(0);
    } finally {
      await manager.closeAll();
    }
  });

  it("expires a session whose client never sent notifications/initialized, even with a stream open", async () => {
    let now = 1_000_000;
    const handshakeTimeoutMs = DEFAULT_LIMITS.handshakeTimeoutMs;
    const manager = new SessionManager({
      limits: { ...DEFAULT_LIMITS, sessionIdleMs: 100 * handshakeTimeoutMs },
      separator: "__",
      createSessionServer: standInSessionServer(),
      context: {
        current: () => {
          throw new Error("unused");
        },
        pool: emptyPool(),
      },
      log: silentLogger,
      now: () => now,
    });
    try {
      const principal = { sub: "dev", auth: "dev" as const };
      const abandoned = await manager.open(principal, { kind: "all" }, {});
      const used = await manager.open(principal, { kind: "all" }, {});
      manager.enter(abandoned); // a GET stream held open does not keep it
      manager.markInitialized(used);
      now += handshakeTimeoutMs - 1;
      expect(await manager.expireIdle()).toBe(0);
      now += 2;
      expect(await manager.expireIdle()).toBe(1);
      expect(manager.store.get(abandoned.id)).toBeUndefined();
      expect(manager.store.get(used.id)).toBe(used);
    } finally {
      await manager.closeAll();
    }
  });

  it("finds a session only for the principal that opened it", async () => {
    const manager = new SessionManager({
      limits: DEFAULT_LIMITS,
      separator: "__",
      createSessionServer: standInSessionServer(),
      context: {
        current: () => {
          throw new Error("unused");
        },
        pool: emptyPool(),
      },
      log: silentLogger,
    });
    try {
      const alice = { sub: "alice", auth: "jwt" as const, iss: "https://idp" };
      const session = await manager.open(alice, { kind: "all" }, {});
      expect(manager.find(session.id, { ...alice, groups: ["other"] }, { kind: "all" })).toBe(
        session,
      );
      expect(
        manager.find(session.id, { ...alice, iss: "https://other-idp" }, { kind: "all" }),
      ).toBeUndefined();
      expect(manager.find(session.id, { ...alice, sub: "bob" }, { kind: "all" })).toBeUndefined();
    } finally {
      await manager.closeAll();
    }
  });
});

describe("BoundedEventStore", () => {
  const message = (n: number): JSONRPCMessage => ({
    jsonrpc: "2.0",
    method: "notifications/message",
    params: { n },
  });

  it("replays the events after an id on the same stream only, keeping the newest per stream", async () => {
    const store = new BoundedEventStore(3, 10);
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) ids.push(await store.storeEvent("_GET_stream", message(n)));
    await store.storeEvent("other", message(99));
    const replayed: unknown[] = [];
    const stream = await store.replayEventsAfter(ids[2]!, {
      send: async (_id, m) => void replayed.push(m),
    });
    expect(stream).toBe("_GET_stream");
    expect(replayed).toEqual([message(3), message(4)]);
    expect(await store.getStreamIdForEventId(ids[0]!)).toBeUndefined(); // dropped: only 3 kept
    expect(store.eventCount()).toBe(4);
  });

  it("forgets the oldest stream beyond the stream bound", async () => {
    const store = new BoundedEventStore(10, 2);
    const first = await store.storeEvent("a", message(1));
    await store.storeEvent("b", message(2));
    await store.storeEvent("c", message(3));
    expect(await store.getStreamIdForEventId(first)).toBeUndefined();
    expect(store.eventCount()).toBe(2);
  });
});

describe("resumable GET stream", () => {
  /** Opens a GET stream and resolves with its text once `until` is seen; the stream is then closed. */
  function readStream(
    url: string,
    headers: Record<string, string>,
    until: RegExp,
  ): Promise<{ status: number; text: string }> {
    return within(
      `GET stream showing ${until}`,
      new Promise((resolve, reject) => {
        const req = httpRequest(url, { method: "GET", headers }, (res) => {
          let text = "";
          const finish = () => {
            resolve({ status: res.statusCode ?? 0, text });
            req.destroy();
          };
          if (res.statusCode !== 200) res.on("end", finish);
          res.on("data", (c: Buffer) => {
            text += c.toString();
            if (res.statusCode === 200 && until.test(text)) finish();
          });
        });
        req.on("error", (e) =>
          (e as NodeJS.ErrnoException).code === "ECONNRESET" ? undefined : reject(e),
        );
        req.end();
      }),
    );
  }

  it("replays what the client missed after Last-Event-ID", async () => {
    const servers: Server[] = [];
    const create = standInSessionServer();
    const gateway = await startStandInGateway(
      {},
      { createSessionServer: (c) => servers[servers.push(create(c)) - 1]! },
    );
    try {
      const id = await openSession(gateway.url);
      const headers = {
        accept: "text/event-stream",
        "mcp-session-id": id,
        "mcp-protocol-version": LATEST_PROTOCOL_VERSION,
      };
      const log = (data: string) =>
        servers[0]!.notification({
          method: "notifications/message",
          params: { level: "info", data },
        });
      const first = readStream(gateway.url, headers, /"data":"first"/);
      await new Promise((resolve) => setTimeout(resolve, 100)); // the stream must be open before sending
      await log("first");
      const seen = await first;
      const lastEventId = /^id: (\S+)$/m.exec(seen.text)![1]!;
      await log("missed"); // sent while no stream is open: only the event store has it
      let resumed = { status: 409, text: "" };
      for (let attempt = 0; attempt < 20 && resumed.status === 409; attempt++) {
        // 409 until the transport has noticed the first stream is gone
        resumed = await readStream(
          gateway.url,
          { ...headers, "last-event-id": lastEventId },
          /"data":"missed"/,
        );
        if (resumed.status === 409) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(resumed.status).toBe(200);
      expect(resumed.text).toContain('"data":"missed"');
      expect(resumed.text).not.toContain('"data":"first"');
    } finally {
      await gateway.close();
    }
  });
});
