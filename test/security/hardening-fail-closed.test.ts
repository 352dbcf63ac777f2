// Fail closed through a real gateway, against the weakest policy a team could write: allow by
// default, deny on listed reasons (test/fixtures/fail-closed/policies). Every way the policy can
// fail to decide — input the module cannot read, a runaway evaluation, a regex built to backtrack,
// a throwing builtin, a malformed or undefined decision — must end in a denial that the gateway
// makes itself, with a reason and a decision id, recorded before the client sees it, and with
// nothing forwarded upstream. The gateway keeps serving other principals meanwhile.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signDevToken } from "../../gateway/auth/dev-token.ts";
import { SqliteAuditStore } from "../../gateway/audit/sqlite-store.ts";
import { loadConfig } from "../../gateway/config.ts";
import { Gateway } from "../../gateway/gateway.ts";
import { silentLogger } from "../../gateway/log.ts";
import { MCP_HEADERS, openSession, rawRequest, within } from "../gateway/server/helpers.ts";
import { catalogOf, scriptedServer, stdio, waitFor } from "../gateway/upstream/helpers.ts";

const POLICY = fileURLToPath(new URL("../fixtures/fail-closed/policies", import.meta.url));
/** deeper than the Wasm runtime's JSON reader goes; the HTTP limit is raised so it gets there */
const DEEP = 2_000;

let dir: string;
let gateway: Gateway;
let store: SqliteAuditStore;
let session: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gatehouse-fail-closed-"));
  const config = loadConfig({
    flags: {
      port: 0,
      dev: true,
      dataDir: dir,
      policyDirs: [POLICY],
      limits: { maxJsonDepth: DEEP * 2 },
    },
  });
  gateway = await Gateway.start(config, {
    log: silentLogger,
    catalog: catalogOf({ scripted: stdio([scriptedServer]) }),
  });
  await waitFor("upstream ready", () => gateway.pool.status().every((s) => s.state === "ready"));
  session = await openSession(gateway.url);
  store = new SqliteAuditStore(join(dir, "audit.db"), { readonly: true });
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

let nextId = 100;
function callEcho(args: unknown, headers: Record<string, string> = {}, sessionId = session) {
  return rawRequest(gateway.url, {
    headers: {
      ...MCP_HEADERS,
      ...headers,
      "mcp-session-id": sessionId,
      "mcp-protocol-version": LATEST_PROTOCOL_VERSION,
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: nextId++,
      method: "tools/call",
      params: { name: "scripted__echo", arguments: args },
    }),
    timeoutMs: 30_000,
  });
}

/** The denial the client got, and the decision record with the same id. */
async function deniedAndRecorded(args: unknown) {
  const answer = await callEcho(args);
  expect(answer.status).toBe(200);
  const error = answer.json.error as { code: number; message: string; data: any };
  expect(error, `expected a denial, got ${answer.text.slice(0, 300)}`).toBeDefined();
  expect(error.code).toBe(-32003);
  const decisionId = error.data.decision_id as string;
  expect(decisionId).toMatch(/\S/);
  expect(error.message).toContain(decisionId);
  const records = await store.query({ tool: "echo", order: "newest", limit: 50 });
  const record = records.find((r) => r.decision_id === decisionId);
  expect(record, `no decision record for ${decisionId}`).toBeDefined();
  expect(record!.allow).toBe(false);
  // this call reached no upstream (other calls may run meanwhile)
  expect(record!.upstream ?? null).toBeNull();
  return { error, record: record! };
}

/** tools/call records whose upstream call happened: the upstream saw nothing else. */
async function upstreamCalls(): Promise<number> {
  const records = await store.query({ tool: "echo", order: "newest", limit: 1000 });
  return records.filter((r) => r.upstream !== null && r.upstream !== undefined).length;
}

function nested(depth: number): unknown {
  let value: unknown = "leaf";
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe("hardening: the policy engine fails closed through the gateway", () => {
  it("allows a plain call (the policy allows by default)", async () => {
    const answer = await callEcho({ text: "hello" });
    expect(answer.json.error).toBeUndefined();
    expect(answer.json.result).toBeDefined();
  });

  it(`denies arguments nested ${DEEP} levels deep instead of deciding on an undefined input`, async () => {
    const { error, record } = await deniedAndRecorded({ text: "x", deep: nested(DEEP) });
    expect(error.message).toMatch(/deep|depth|nest/i);
    expect(JSON.stringify(record.reasons)).toMatch(/deep|depth|nest/i);
  });

  it("answers a catastrophic-backtracking regex with RE2's result, and the gateway stays responsive", async () => {
    const slow = deniedAndRecorded({ mode: "redos", text: `${"a".repeat(40)}!` });
    // asked while the first call is in flight: the event loop is not held by one evaluation
    const health = rawRequest(gateway.url.replace(/\/mcp$/, "/healthz"), { method: "GET" });
    const other = callEcho({ text: "from another caller" });
    const [{ error }, healthAnswer, otherAnswer] = await within(
      "ReDoS call, /healthz and another call",
      Promise.all([slow, health, other]),
      30_000,
    );
    expect(error.message).toContain("text must be words");
    expect(healthAnswer.status).toBe(200);
    expect(otherAnswer.json.result).toBeDefined();
  });

  it("ends a runaway evaluation with eval_budget_exceeded, and decides the next call", async () => {
    const { error } = await deniedAndRecorded({ mode: "budget" });
    expect(error.message).toContain("eval_budget_exceeded");
    const next = await callEcho({ text: "after the budget" });
    expect(next.json.result).toBeDefined();
  });

  it("denies when a host builtin throws", async () => {
    const { error } = await deniedAndRecorded({ mode: "builtin_error" });
    expect(error.message).toMatch(/policy evaluation failed/);
  });

  it('denies a decision whose allow is "yes" rather than true', async () => {
    const { error } = await deniedAndRecorded({ mode: "malformed" });
    expect(error.message).toMatch(/malformed.*allow must be a boolean/);
  });

  it("denies when the decision is undefined", async () => {
    const { error } = await deniedAndRecorded({ mode: "undefined" });
    expect(error.message).toContain("undefined");
  });

  it("denies a second principal's deep call too, and keeps their ordinary calls working", async () => {
    const token = await signDevToken(dir, {
      sub: "bob",
      audience: gateway.url,
      groups: ["eng"],
      ttlSeconds: 600,
    });
    const auth = { authorization: `Bearer ${token}` };
    const bobSession = await openSession(gateway.url, auth);
    const deep = await callEcho({ deep: nested(DEEP) }, auth, bobSession);
    expect(deep.json.error?.code).toBe(-32003);
    const plain = await callEcho({ text: "bob" }, auth, bobSession);
    expect(plain.json.result).toBeDefined();
  });

  it("refuses a body nested deeper than limits.maxJsonDepth before anything reads it", async () => {
    const before = await upstreamCalls();
    const answer = await callEcho({ deep: nested(DEEP * 2 + 10) });
    expect(answer.status).toBe(400);
    expect(answer.json.id).toBe(nextId - 1);
    expect(answer.json.error.code).toBe(-32600);
    expect(answer.json.error.message).toContain(`limits.maxJsonDepth = ${DEEP * 2}`);
    expect(answer.json.error.message).toContain("$.params.arguments.deep.a.a");
    expect(await upstreamCalls()).toBe(before);
  });

  it("refuses 80,000 argument keys (870 KB, under the body limit) as too many values", async () => {
    const before = await upstreamCalls();
    const wide = Object.fromEntries(Array.from({ length: 80_000 }, (_, i) => [`k${i}`, 0]));
    const answer = await callEcho(wide);
    expect(answer.status).toBe(400);
    expect(answer.json.error.message).toContain("limits.maxJsonValues = 10000");
    expect(await upstreamCalls()).toBe(before);
    // the session is intact
    expect((await callEcho({ text: "still here" })).json.result).toBeDefined();
  });
});
