// MCP02 privilege escalation through a session that outlives its privileges: alice opens a session
// while the identity provider says she is in `security`; then her groups change to `contractors`
// and her client presents the new token on the same session. Every request must be decided with
// the token it carries (fast path, SDK path, lists, batches), and the decision records must name
// the groups that decided. The repository's catalog (server-everything and server-filesystem over
// stdio) and policies; tokens from a real OpenID provider.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog, toolFacts } from "../../gateway/catalog/index.ts";
import { rawRequest, MCP_HEADERS } from "../gateway/server/helpers.ts";
import {
  auth,
  handshake,
  openStream,
  request,
  rpc,
  startIdentityGateway,
  toolNames,
  type IdentityGateway,
} from "./identity-gateway.ts";

const SANDBOX_ROOT = "/tmp/gatehouse";
const DENIED_BY_POLICY = -32003;
const catalog = loadCatalog("catalog");

let gw: IdentityGateway;
let sandbox: string;
let security: Record<string, string>;
let contractors: Record<string, string>;
let session: string;

beforeAll(async () => {
  mkdirSync(SANDBOX_ROOT, { recursive: true });
  sandbox = mkdtempSync(join(SANDBOX_ROOT, "mcp02-"));
  gw = await startIdentityGateway({ catalog, waitFor: ["everything", "filesystem"] });
  security = auth(await gw.userToken("alice", ["security"]));
  session = await handshake(gw.gateway.url, security);
  // the provider moves alice to contractors; her next token says so
  contractors = auth(await gw.userToken("alice", ["contractors"]));
}, 120_000);

afterAll(async () => {
  await gw?.close();
  if (sandbox) rmSync(sandbox, { recursive: true, force: true });
});

const createDirectory = (path: string, meta?: Record<string, unknown>) =>
  request("tools/call", {
    name: "filesystem__create_directory",
    arguments: { path },
    ...(meta ? { _meta: meta } : {}),
  });

function writeRisk(server: string, tool: string): boolean {
  const risk = toolFacts(catalog.servers.get(server)!, tool).risk;
  return risk === "write" || risk === "destructive";
}

describe("MCP02 privileges follow the token of each request, not the session", () => {
  it("a write tool the security token could call is denied to the contractors token on the same session (fast path), and the record names contractors", async () => {
    const allowedDir = join(sandbox, "made-as-security");
    const allowed = await rpc(gw.gateway.url, security, createDirectory(allowedDir), session);
    expect(allowed.json.error, allowed.text).toBeUndefined();
    expect(existsSync(allowedDir)).toBe(true);

    const attackDir = join(sandbox, "made-as-contractor");
    const denied = await rpc(gw.gateway.url, contractors, createDirectory(attackDir), session);
    expect(denied.json.error.code).toBe(DENIED_BY_POLICY);
    expect(denied.json.error.message).toMatch(/alice may not call create_directory/);
    expect(existsSync(attackDir)).toBe(false);
    const record = await gw.record(denied.json.error.data.decision_id);
    expect(record.principal).toMatchObject({ sub: "alice", groups: ["contractors"] });
    expect(record.session_id).toBe(session);
    expect(record.upstream ?? null).toBeNull();
  });

  it("the same call with a progress token (the SDK's transport, not the fast path) is denied too", async () => {
    const attackDir = join(sandbox, "made-with-progress");
    const denied = await rpc(
      gw.gateway.url,
      contractors,
      createDirectory(attackDir, { progressToken: "p-1" }),
      session,
    );
    expect(denied.json.error.code).toBe(DENIED_BY_POLICY);
    expect(existsSync(attackDir)).toBe(false);
    const record = await gw.record(denied.json.error.data.decision_id);
    expect(record.principal?.groups).toEqual(["contractors"]);
  });

  it("tools/list shrinks to what contractors may see, with no write tool left, and its record names contractors", async () => {
    const asSecurity = await toolNames(gw.gateway.url, security, session);
    const asContractor = await toolNames(gw.gateway.url, contractors, session);
    expect(asContractor.length).toBeGreaterThan(0);
    expect(asContractor.length).toBeLessThan(asSecurity.length);
    expect(asSecurity).toContain("filesystem__create_directory");
    const writes = asContractor.filter((name) => {
      const [server, tool] = name.split("__") as [string, string];
      return writeRisk(server, tool);
    });
    expect(writes).toEqual([]);
    // records are written as requests end: wait for both lists' records
    const groupsOfLists = async () =>
      (await gw.records())
        .filter((r) => r.method === "tools/list" && r.session_id === session)
        .map((r) => r.principal?.groups.join(","));
    for (let i = 0; i < 100 && (await groupsOfLists()).length < 2; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await groupsOfLists()).sort()).toEqual(["contractors", "security"]);
  });

  it("a 2025-03-26 batch of write calls with the contractors token is decided call by call and denied", async () => {
    const batchSession = await handshake(gw.gateway.url, security);
    const dirs = [join(sandbox, "batch-1"), join(sandbox, "batch-2")];
    const answer = await rawRequest(gw.gateway.url, {
      headers: {
        ...MCP_HEADERS,
        ...contractors,
        "mcp-session-id": batchSession,
        "mcp-protocol-version": "2025-03-26",
      },
      body: JSON.stringify(dirs.map((d) => createDirectory(d))),
      timeoutMs: 30_000,
    });
    expect(answer.status).toBe(200);
    const replies = answer.text
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .flatMap((l) => {
        const message = JSON.parse(l.slice(6));
        return Array.isArray(message) ? message : [message];
      });
    expect(replies).toHaveLength(2);
    for (const reply of replies) expect(reply.error?.code).toBe(DENIED_BY_POLICY);
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
  });

  it("odd casing of the method name (Tools/Call, TOOLS/CALL) reaches no tool: method not found, nothing created", async () => {
    for (const method of ["Tools/Call", "TOOLS/CALL", "tools/call "]) {
      const dir = join(sandbox, `cased-${method.replace(/\W/g, "")}`);
      const body = { ...createDirectory(dir), method };
      const answer = await rpc(gw.gateway.url, contractors, body, session);
      expect(answer.json.error?.code, `${method}: ${answer.text}`).toBe(-32601);
      expect(existsSync(dir)).toBe(false);
    }
  });

  it("a GET carrying a tools/call body opens a stream and runs nothing", async () => {
    const dir = join(sandbox, "via-get");
    const answer = await rawRequest(gw.gateway.url, {
      method: "GET",
      headers: {
        accept: "text/event-stream",
        "content-type": "application/json",
        ...contractors,
        "mcp-session-id": session,
      },
      body: JSON.stringify(createDirectory(dir)),
      timeoutMs: 1_000,
    }).catch((e: Error) => e);
    // the stream stays open until the client leaves; either way nothing ran
    if (!(answer instanceof Error)) expect(answer.text).not.toContain('"result"');
    expect(existsSync(dir)).toBe(false);
    const stream = await openStream(gw.gateway.url, contractors, session);
    expect(stream.status).toBe(200);
    stream.close();
  });
});
