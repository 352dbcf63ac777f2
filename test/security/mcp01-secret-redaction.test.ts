// MCP01 (token mismanagement, secret exposure): secrets a caller sends, a policy quotes or an
// upstream prints must not be written anywhere the gateway records things. A real gateway (the
// secret-exposure policy in ./mcp01-policy, the development principal) with the real decision
// recorder on SQLite, spans exported to an in-memory exporter and its log captured; after each
// attack all three are searched for the secret (the SQLite database and WAL files byte for byte,
// the exported spans' names, attributes, status and events, every log line), and the record of
// the call must exist with the secret masked ("[redacted]").
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditRecord } from "../../gateway/audit/record.ts";
import { SqliteAuditStore } from "../../gateway/audit/sqlite-store.ts";
import { loadConfig } from "../../gateway/config.ts";
import { Gateway } from "../../gateway/gateway.ts";
import type { Logger } from "../../gateway/log.ts";
import { Redactor } from "../../gateway/redaction.ts";
import { MCP_HEADERS, openSession, rawRequest } from "../gateway/server/helpers.ts";
import { memoryTelemetry } from "../gateway/telemetry/helpers.ts";
import { catalogOf, scriptedServer, stdio, waitFor } from "../gateway/upstream/helpers.ts";

const POLICY = fileURLToPath(new URL("./mcp01-policy", import.meta.url));

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const b64url = (chars: number) => randomBytes(chars).toString("base64url").slice(0, chars);
/** a fresh Gatehouse API key (ghk_<16 hex id>_<43 base64url secret>) */
const apiKey = () => `ghk_${hex(8)}_${b64url(43)}`;
/** a secret no pattern knows: only its key name can give it away */
const plain = () => `v-${hex(10)}`;

/** printed by the upstream on stderr at start (the scripted server prints FIXTURE_TOKEN) */
const UPSTREAM_KEY = apiKey();

let dir: string;
let gateway: Gateway;
let session: string;
let store: SqliteAuditStore;
const memory = memoryTelemetry(new Redactor());
const logLines: string[] = [];
const capture: Logger = {
  log(level, message, fields) {
    logLines.push(JSON.stringify({ level, message, ...fields }));
  },
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gatehouse-mcp01-"));
  const catalog = catalogOf({ scripted: stdio([scriptedServer], { FIXTURE_TOKEN: UPSTREAM_KEY }) });
  catalog.servers.get("scripted")!.tools = { echo: { risk: "read", tags: [] } };
  const config = loadConfig({ flags: { port: 0, dev: true, dataDir: dir, policyDirs: [POLICY] } });
  gateway = await Gateway.start(config, { log: capture, catalog, telemetry: memory.telemetry });
  await waitFor(
    "upstream ready",
    () => gateway.pool.status().every((s) => s.state === "ready"),
    30_000,
  );
  session = await openSession(gateway.url);
  store = new SqliteAuditStore(join(dir, "audit.db"), { readonly: true });
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

let nextId = 1000;
function post(body: unknown, headers: Record<string, string> = {}) {
  return rawRequest(gateway.url, {
    headers: {
      ...MCP_HEADERS,
      "mcp-session-id": session,
      "mcp-protocol-version": LATEST_PROTOCOL_VERSION,
      ...headers,
    },
    body: JSON.stringify(body),
    timeoutMs: 30_000,
  });
}

/** Calls scripted__echo with `args`; resolves with the answer and the call's record. */
async function callEcho(
  args: Record<string, unknown>,
  options: { id?: string | number; headers?: Record<string, string> } = {},
) {
  const before = await latestSeq();
  const answer = await post(
    {
      jsonrpc: "2.0",
      id: options.id ?? nextId++,
      method: "tools/call",
      params: { name: "scripted__echo", arguments: args },
    },
    options.headers,
  );
  expect(answer.status).toBe(200);
  const [record] = await store.query({ tool: "echo", order: "newest", limit: 1 });
  expect(record, "the call has a decision record").toBeDefined();
  expect(record!.seq).toBeGreaterThan(before);
  return { answer: answer.json, record: record! };
}

async function latestSeq(): Promise<number> {
  return (await store.query({ order: "newest", limit: 1 }))[0]?.seq ?? 0;
}

/** Everything the gateway recorded: audit files, exported spans, log lines. */
function sinks(): Record<string, string> {
  const files = ["audit.db", "audit.db-wal"].map((name) => join(dir, name));
  return {
    "audit store files": files
      .filter(existsSync)
      .map((f) => readFileSync(f).toString("latin1"))
      .join("\n"),
    spans: JSON.stringify(
      memory.spans().map((s) => ({
        name: s.name,
        attributes: s.attributes,
        status: s.status,
        events: s.events,
      })),
    ),
    log: logLines.join("\n"),
  };
}

function expectNowhere(...secrets: string[]): void {
  const where = sinks();
  for (const secret of secrets) {
    for (const [sink, text] of Object.entries(where)) {
      expect(text.includes(secret), `${sink} must not hold ${secret.slice(0, 12)}…`).toBe(false);
    }
  }
}

/** The record's arguments and input, as stored. */
const stored = (record: AuditRecord) => JSON.stringify({ a: record.arguments, i: record.input });

describe("MCP01 secret exposure: secrets in tool arguments are masked everywhere", () => {
  it("a Gatehouse API key (ghk_…) as an argument value", async () => {
    const key = apiKey();
    const { record } = await callEcho({ text: `use ${key} for the deploy` });
    expect(record.arguments).toEqual({ text: "use [redacted] for the deploy" });
    expectNowhere(key);
  });

  for (const name of ["pwd", "passwd", "apikey", "X-Api-Key", "PRIVATE_KEY", "db_password"]) {
    it(`an argument named ${name}`, async () => {
      const secret = plain();
      const { record } = await callEcho({ text: "hi", [name]: secret });
      expect(record.arguments).toEqual({ text: "hi", [name]: "[redacted]" });
      expectNowhere(secret);
    });
  }

  it("credentials.pass nested in an object", async () => {
    const secret = plain();
    const { record } = await callEcho({ text: "hi", credentials: { user: "bob", pass: secret } });
    expect(stored(record)).toContain("[redacted]");
    expectNowhere(secret);
  });

  it("a.b.private_key, nested", async () => {
    const secret = plain();
    const { record } = await callEcho({ a: { b: { private_key: secret, note: "n" } } });
    expect(record.arguments).toEqual({ a: { b: { private_key: "[redacted]", note: "n" } } });
    expectNowhere(secret);
  });

  it("a secret 25 levels deep in arrays and objects", async () => {
    const secret = plain();
    let deep: unknown = { token: secret };
    for (let i = 0; i < 24; i++) deep = i % 2 ? { next: deep } : [deep];
    const { record } = await callEcho({ deep });
    expect(stored(record)).toContain('"token":"[redacted]"');
    expectNowhere(secret);
  });

  for (const kind of ["RSA PRIVATE KEY", "OPENSSH PRIVATE KEY", "PGP PRIVATE KEY BLOCK"]) {
    it(`a PEM block (-----BEGIN ${kind}-----)`, async () => {
      const body = b64url(64);
      const pem = `-----BEGIN ${kind}-----\n${body}\n${b64url(64)}\n-----END ${kind}-----`;
      const { record } = await callEcho({ text: `key:\n${pem}\nend` });
      expect(record.arguments).toEqual({ text: "key:\n[redacted]\nend" });
      expectNowhere(body);
    });
  }

  for (const [scheme, url] of [
    ["postgres", (p: string) => `postgres://admin:${p}@db:5432/app`],
    ["mysql", (p: string) => `mysql://root:${p}@mysql.internal/shop`],
    ["redis (no user)", (p: string) => `redis://:${p}@cache:6379/0`],
    ["amqp", (p: string) => `amqp://guest:${p}@rabbit/vhost`],
    ["mongodb+srv", (p: string) => `mongodb+srv://app:${p}@cluster0.example.net/db?w=1`],
  ] as const) {
    it(`a ${scheme} connection string with a password`, async () => {
      const password = plain();
      const { record } = await callEcho({ text: `connect to ${url(password)}` });
      expect(record.arguments).toEqual({ text: `connect to ${url("[redacted]")}` });
      expectNowhere(password);
    });
  }

  it("GitHub tokens (ghp_, gho_, github_pat_)", async () => {
    const tokens = [
      `ghp_${b64url(36).replace(/[-_]/g, "a")}`,
      `gho_${hex(18)}`,
      `github_pat_${hex(20)}_${hex(10)}`,
    ];
    await callEcho({ text: tokens.join(" and ") });
    expectNowhere(...tokens);
  });

  it("an AWS access key id and secret access key", async () => {
    const id = `AKIA${hex(8).toUpperCase()}`;
    const secret = `wJalrXUtnFEMI/K7MDENG/bPxRfiCY${hex(5)}`.slice(0, 40);
    const { record } = await callEcho({ text: `id ${id} secret ${secret}` });
    expect(record.arguments).toEqual({ text: "id [redacted] secret [redacted]" });
    expectNowhere(id, secret);
  });

  it("a Slack bot token, a JWT and a Bearer header value", async () => {
    const slack = `xoxb-${hex(6)}-${hex(6)}-${b64url(24).replace(/_/g, "a")}`;
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ${hex(8)}.${b64url(30)}`;
    const bearer = hex(20);
    await callEcho({ text: `${slack} ${jwt}`, headers: { Authorization: `Bearer ${bearer}` } });
    expectNowhere(slack, jwt, bearer);
  });
});

describe("MCP01 secret exposure: secrets in denials, request fields and upstream output", () => {
  it("a denial reason that quotes an API key: record, span and log", async () => {
    const key = apiKey();
    const before = await latestSeq();
    const answer = await post({
      jsonrpc: "2.0",
      id: nextId++,
      method: "tools/call",
      params: { name: "scripted__echo", arguments: { refuse: key } },
    });
    expect(answer.json.error.code).toBe(-32003);
    const decisionId = answer.json.error.data.decision_id as string;
    const [record] = await store.query({ tool: "echo", order: "newest", limit: 1 });
    expect(record!.seq).toBeGreaterThan(before);
    expect(record).toMatchObject({ decision_id: decisionId, allow: false });
    expect(record!.reasons).toEqual(["refused: [redacted]"]);
    const span = memory
      .spans()
      .find(
        (s) =>
          s.attributes["gatehouse.decision.id"] === decisionId &&
          s.attributes["gatehouse.decision.reasons"] !== undefined,
      );
    expect(span?.attributes["gatehouse.decision.reasons"]).toEqual(["refused: [redacted]"]);
    expectNowhere(key);
  });

  it("a denial reason that quotes a connection string", async () => {
    const password = plain();
    const answer = await post({
      jsonrpc: "2.0",
      id: nextId++,
      method: "tools/call",
      params: {
        name: "scripted__echo",
        arguments: { refuse: `postgres://admin:${password}@db/app` },
      },
    });
    expect(answer.json.error.code).toBe(-32003);
    const [record] = await store.query({ tool: "echo", order: "newest", limit: 1 });
    expect(record!.reasons).toEqual(["refused: postgres://admin:[redacted]@db/app"]);
    expectNowhere(password);
  });

  it("a JSON-RPC id and a User-Agent carrying tokens", async () => {
    const key = apiKey();
    const token = `ghp_${hex(18)}`;
    const { record } = await callEcho(
      { text: "hi" },
      { id: `call-${key}`, headers: { "user-agent": `agent/1 (token ${token})` } },
    );
    expect(JSON.stringify(record.input)).toContain("[redacted]");
    expectNowhere(key, token);
  });

  it("a resource URI with a password in it", async () => {
    const password = plain();
    const answer = await post({
      jsonrpc: "2.0",
      id: nextId++,
      method: "resources/read",
      params: { uri: `postgres://admin:${password}@db/app` },
    });
    expect(answer.status).toBe(200);
    expect(answer.json.error).toBeDefined();
    expectNowhere(password);
  });

  it("an upstream that prints a key on stderr", async () => {
    // the scripted server printed FIXTURE_TOKEN when it started; the gateway logs upstream stderr
    expect(logLines.some((line) => line.includes("scripted-server: token is [redacted]"))).toBe(
      true,
    );
    expectNowhere(UPSTREAM_KEY);
  });

  it("a refused request whose path carries a key", async () => {
    const key = apiKey();
    const refused = await rawRequest(`${gateway.url}/${key}`, {
      headers: MCP_HEADERS,
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expectNowhere(key);
  });
});
