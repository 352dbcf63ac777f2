// Every bad-input case of the /mcp endpoint: status, JSON-RPC code, and that good input still works.
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../../gateway/gateway.ts";
import { silentLogger } from "../../../gateway/log.ts";
import { createApp } from "../../../gateway/server.ts";
import {
  headerPrincipal,
  initializeBody,
  MCP_HEADERS,
  openSession,
  rawRequest,
  startStandInGateway,
} from "./helpers.ts";

let gateway: Gateway;
let url: string;
const listTools = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" });

beforeAll(async () => {
  gateway = await startStandInGateway({ limits: { maxBodyBytes: 64 * 1024 } });
  url = gateway.url;
});
afterAll(async () => {
  await gateway?.close();
});

const sessionHeaders = (id: string) => ({
  ...MCP_HEADERS,
  "mcp-session-id": id,
  "mcp-protocol-version": LATEST_PROTOCOL_VERSION,
});

describe("Host and Origin (DNS rebinding)", () => {
  it("answers 403 to a foreign Host before anything else", async () => {
    const res = await rawRequest(url, {
      headers: { ...MCP_HEADERS, host: "evil.example.com" },
      body: "{not json",
    });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe(-32000);
    expect(res.headers["mcp-session-id"]).toBeUndefined();
  });

  it("answers 403 to a foreign Origin and accepts a loopback one", async () => {
    const evil = await rawRequest(url, {
      headers: { ...MCP_HEADERS, origin: "http://evil.example.com" },
      body: initializeBody(),
    });
    expect(evil.status).toBe(403);
    const local = await rawRequest(url, {
      headers: { ...MCP_HEADERS, origin: "http://localhost:6274" },
      body: initializeBody(),
    });
    expect(local.status).toBe(200);
    expect(local.headers["mcp-session-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("POST body checks", () => {
  it("answers 415 to a non-JSON content type", async () => {
    const res = await rawRequest(url, {
      headers: { ...MCP_HEADERS, "content-type": "text/plain" },
      body: initializeBody(),
    });
    expect(res.status).toBe(415);
    expect(res.json.error.code).toBe(-32000);
  });

  it("answers 406 when the client does not accept both JSON and SSE", async () => {
    const res = await rawRequest(url, {
      headers: { ...MCP_HEADERS, accept: "application/json" },
      body: initializeBody(),
    });
    expect(res.status).toBe(406);
  });

  it("answers 413 with a JSON-RPC error to a 2 MB body, declared or chunked", async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 0x20);
    const declared = await rawRequest(url, { headers: MCP_HEADERS, body: big });
    expect(declared.status).toBe(413);
    expect(declared.json).toMatchObject({ jsonrpc: "2.0", error: { code: -32600 }, id: null });
    const chunked = await rawRequest(url, {
      headers: { ...MCP_HEADERS, "transfer-encoding": "chunked" },
      body: big,
    });
    expect(chunked.status).toBe(413);
  });

  it("answers 400 / -32700 to malformed JSON", async () => {
    const res = await rawRequest(url, { headers: MCP_HEADERS, body: '{"jsonrpc": "2.0", ' });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe(-32700);
  });

  it("answers 400 / -32600 to JSON that is not a JSON-RPC message", async () => {
    for (const body of [
      '{"hello": "world"}',
      "42",
      '{"jsonrpc": "1.0", "id": 1, "method": "x"}',
      "[]",
    ]) {
      const res = await rawRequest(url, { headers: MCP_HEADERS, body });
      expect(res.status, body).toBe(400);
      expect(res.json.error.code, body).toBe(-32600);
    }
  });

  it("refuses batches in 2025-06-18 and later, and initialize inside a batch", async () => {
    const id = await openSession(url);
    const batch = await rawRequest(url, { headers: sessionHeaders(id), body: `[${listTools}]` });
    expect(batch.status).toBe(400);
    expect(batch.json.error.code).toBe(-32600);
    const initBatch = await rawRequest(url, {
      headers: MCP_HEADERS,
      body: `[${initializeBody()}]`,
    });
    expect(initBatch.status).toBe(400);
    expect(initBatch.json.error.code).toBe(-32600);
  });
});

describe("sessions", () => {
  it("answers 400 to a request without a session that is not initialize", async () => {
    const res = await rawRequest(url, { headers: MCP_HEADERS, body: listTools });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/Mcp-Session-Id/);
  });

  it("answers 404 / -32001 to an unknown session id", async () => {
    const res = await rawRequest(url, {
      headers: sessionHeaders("00000000-0000-4000-8000-000000000000"),
      body: listTools,
    });
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe(-32001);
  });

  it("serves tools/list in a session, then 404 after DELETE", async () => {
    const id = await openSession(url);
    const listed = await rawRequest(url, { headers: sessionHeaders(id), body: listTools });
    expect(listed.status).toBe(200);
    expect(listed.json.result.tools.map((t: { name: string }) => t.name)).toEqual(["echo", "wait"]);
    const deleted = await rawRequest(url, { method: "DELETE", headers: sessionHeaders(id) });
    expect(deleted.status).toBe(200);
    const reused = await rawRequest(url, { headers: sessionHeaders(id), body: listTools });
    expect(reused.status).toBe(404);
    expect(reused.json.error.code).toBe(-32001);
  });

  it("answers 400 to an unsupported MCP-Protocol-Version after initialize", async () => {
    const id = await openSession(url);
    const res = await rawRequest(url, {
      headers: { ...sessionHeaders(id), "mcp-protocol-version": "1999-01-01" },
      body: listTools,
    });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/unsupported MCP-Protocol-Version/);
  });

  it("answers 405 to other methods and 406 to a GET that does not accept SSE", async () => {
    const id = await openSession(url);
    expect(
      (await rawRequest(url, { method: "PUT", headers: sessionHeaders(id), body: "{}" })).status,
    ).toBe(405);
    const get = await rawRequest(url, {
      method: "GET",
      headers: { ...sessionHeaders(id), accept: "application/json" },
    });
    expect(get.status).toBe(406);
  });
});

describe("routes", () => {
  it("serves /healthz and /readyz", async () => {
    const base = new URL(url).origin;
    const health = await rawRequest(`${base}/healthz`, { method: "GET" });
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: "ok" });
    const ready = await rawRequest(`${base}/readyz`, { method: "GET" });
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({ status: "ready", policyRevision: "stand-in-revision" });
  });

  it("answers 404 JSON to unknown virtual servers and paths, and serves a known virtual server", async () => {
    const base = new URL(url).origin;
    const unknown = await rawRequest(`${base}/mcp/nope`, {
      headers: MCP_HEADERS,
      body: initializeBody(),
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatch(/no virtual server named "nope"/);
    const other = await rawRequest(`${base}/admin`, { method: "GET" });
    expect(other.status).toBe(404);
    expect(other.json).toEqual({ error: "not found" });
    const virtual = await rawRequest(`${base}/mcp/eng`, {
      headers: MCP_HEADERS,
      body: initializeBody(),
    });
    expect(virtual.status).toBe(200);
  });

  it("does not let a session opened on /mcp/eng be used on /mcp", async () => {
    const base = new URL(url).origin;
    const id = await openSession(`${base}/mcp/eng`);
    const res = await rawRequest(url, { headers: sessionHeaders(id), body: listTools });
    expect(res.status).toBe(404);
  });
});

describe("principals and bounds", () => {
  let bounded: Gateway;
  beforeAll(async () => {
    bounded = await startStandInGateway(
      { limits: { maxSessions: 3, maxSessionsPerPrincipal: 2 } },
      { resolvePrincipal: headerPrincipal },
    );
  });
  afterAll(async () => {
    await bounded?.close();
  });

  it("answers 401 with WWW-Authenticate when no identity can be established", async () => {
    const res = await rawRequest(bounded.url, { headers: MCP_HEADERS, body: initializeBody() });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(res.json.error.message).toMatch(/identity is not configured.*--dev/);
  });

  it("treats a session id presented by another principal as unknown (404)", async () => {
    const id = await openSession(bounded.url, { "x-test-principal": "alice" });
    const res = await rawRequest(bounded.url, {
      headers: { ...sessionHeaders(id), "x-test-principal": "mallory" },
      body: listTools,
    });
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe(-32001);
    const own = await rawRequest(bounded.url, {
      headers: { ...sessionHeaders(id), "x-test-principal": "alice" },
      body: listTools,
    });
    expect(own.status).toBe(200);
    expect(own.json.result.tools[0].description).toBe("for alice");
  });

  it("answers 429 past the per-principal bound and 503 past the global one", async () => {
    await openSession(bounded.url, { "x-test-principal": "alice" }); // alice now has 2
    const third = await rawRequest(bounded.url, {
      headers: { ...MCP_HEADERS, "x-test-principal": "alice" },
      body: initializeBody(),
    });
    expect(third.status).toBe(429);
    expect(third.json.error.message).toMatch(/too many open sessions for this principal/);
    await openSession(bounded.url, { "x-test-principal": "bob" }); // 3 in all
    const full = await rawRequest(bounded.url, {
      headers: { ...MCP_HEADERS, "x-test-principal": "carol" },
      body: initializeBody(),
    });
    expect(full.status).toBe(503);
    expect(full.headers["retry-after"]).toBeDefined();
  });
});

describe("readiness", () => {
  it("answers 503 with the reason when no policy or catalog is active", async () => {
    const app = createApp({
      notReadyReason: () => "no policy bundle is active and no catalog is loaded",
      readyFacts: () => ({}),
      hasVirtualServer: () => false,
      handleMcp: async () => {},
      log: silentLogger,
    });
    const server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const ready = await rawRequest(`http://127.0.0.1:${port}/readyz`, { method: "GET" });
      expect(ready.status).toBe(503);
      expect(ready.json).toEqual({
        status: "not ready",
        reason: "no policy bundle is active and no catalog is loaded",
      });
      const health = await rawRequest(`http://127.0.0.1:${port}/healthz`, { method: "GET" });
      expect(health.status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("without --dev", () => {
  it("answers 401 to loopback requests", async () => {
    const strict = await startStandInGateway({ dev: false });
    try {
      const res = await rawRequest(strict.url, { headers: MCP_HEADERS, body: initializeBody() });
      expect(res.status).toBe(401);
      expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
    } finally {
      await strict.close();
    }
  });
});
