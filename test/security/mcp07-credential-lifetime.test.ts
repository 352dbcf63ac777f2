// MCP07 a credential that is no longer good keeps nothing open: a GET stream, or a long call's
// answer, opened with a token that expires or an API key that is revoked (or expires) ends then,
// and receives nothing more. A real gateway (no --dev, clock-skew leeway 0, API keys re-checked
// every 200 ms) trusting a real OpenID provider; a scripted stdio upstream announcing
// tools/list_changed on demand.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKeyStore } from "../../gateway/auth/api-keys.ts";
import type { ToolMetadata } from "../../gateway/catalog/index.ts";
import { rawRequest, MCP_HEADERS, within } from "../gateway/server/helpers.ts";
import { catalogOf, scriptedServer, stdio } from "../gateway/upstream/helpers.ts";
import { nowSeconds } from "../gateway/auth/helpers.ts";
import {
  auth,
  handshake,
  openStream,
  request,
  rpc,
  startIdentityGateway,
  type IdentityGateway,
  type OpenStream,
} from "./identity-gateway.ts";

const meta = (risk: ToolMetadata["risk"]): ToolMetadata => ({ risk, tags: [] });
const LIST_CHANGED = "notifications/tools/list_changed";

let gw: IdentityGateway;

beforeAll(async () => {
  const catalog = catalogOf({ scripted: stdio([scriptedServer]) });
  const scripted = catalog.servers.get("scripted")!;
  // one process for every caller, so one caller's add-tool is announced to every session
  scripted.isolation = "shared";
  scripted.tools = { echo: meta("read"), "add-tool": meta("read"), wait: meta("read") };
  gw = await startIdentityGateway({
    catalog,
    auth: { clockSkewSeconds: 0, apiKeyRecheckSeconds: 0.2 },
    waitFor: ["scripted"],
  });
}, 120_000);

afterAll(async () => {
  await gw?.close();
});

const addTool = () => request("tools/call", { name: "scripted__add-tool", arguments: {} });

async function announced(stream: OpenStream): Promise<void> {
  for (let i = 0; i < 200 && !stream.text().includes(LIST_CHANGED); i++)
    await new Promise((resolve) => setTimeout(resolve, 25));
  expect(stream.text()).toContain(LIST_CHANGED);
}

/** A caller of its own (an API key) announces a list change to every session. */
async function announceFromElsewhere(): Promise<void> {
  const { key } = gw.apiKey(`announcer-${crypto.randomUUID()}`, ["eng"]);
  const session = await handshake(gw.gateway.url, auth(key));
  const answer = await rpc(gw.gateway.url, auth(key), addTool(), session);
  expect(answer.json.result, answer.text).toBeDefined();
}

describe("MCP07 streams end with their credential", () => {
  it("a GET stream opened with a token that expires in 3 s is closed when it expires, and the token is refused after", async () => {
    const token = auth(
      await gw.craftedToken({ sub: "short-lived", groups: ["eng"], exp: nowSeconds() + 3 }),
    );
    const session = await handshake(gw.gateway.url, token);
    const stream = await openStream(gw.gateway.url, token, session);
    expect(stream.status).toBe(200);
    await within("the stream to end at the token's expiry", stream.ended, 15_000);
    const received = stream.text();
    await announceFromElsewhere();
    expect(stream.text()).toBe(received);
    expect(
      gw.log.lines.some(
        (l) =>
          l.includes("response ended: its credential is no longer valid") &&
          l.includes("short-lived"),
      ),
    ).toBe(true);
    const after = await rpc(gw.gateway.url, token, request("tools/list"), session);
    expect(after.status).toBe(401);
  });

  it("a long call's answer opened with an expiring token is cut at the expiry, not answered after it", async () => {
    const token = auth(
      await gw.craftedToken({ sub: "long-caller", groups: ["eng"], exp: nowSeconds() + 3 }),
    );
    const session = await handshake(gw.gateway.url, token);
    const call = rpc(
      gw.gateway.url,
      token,
      request("tools/call", { name: "scripted__wait", arguments: {} }),
      session,
    ).then(
      (answer) => answer.text,
      (e: Error) => `failed: ${e.message}`,
    );
    // the upstream's wait lasts 30 s; the token ends after 3
    const outcome = await within("the call to be cut", call, 20_000);
    expect(outcome).not.toContain("waited");
  });

  it("a revoked API key's GET stream ends within the re-check interval and gets no notification after", async () => {
    const { key, id } = gw.apiKey("revoked-bot", ["eng"]);
    const session = await handshake(gw.gateway.url, auth(key));
    const stream = await openStream(gw.gateway.url, auth(key), session);
    expect(stream.status).toBe(200);
    // the stream works: the key's own add-tool call is announced on it
    await rpc(gw.gateway.url, auth(key), addTool(), session);
    await announced(stream);
    gw.revokeKey(id);
    await within("the stream to end after revocation", stream.ended, 10_000);
    const received = stream.text();
    await announceFromElsewhere();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stream.text()).toBe(received);
    expect(gw.log.lines.some((l) => l.includes(`API key ${id} is revoked`))).toBe(true);
    const after = await rpc(gw.gateway.url, auth(key), request("tools/list"), session);
    expect(after.status).toBe(401);
  });

  it("an API key that expires while its stream is open ends the stream", async () => {
    const store = new ApiKeyStore(gw.dataDir);
    const { key } = store.create({ sub: "expiring-bot", groups: ["eng"], ttlMs: 2_000 });
    const session = await handshake(gw.gateway.url, auth(key));
    const stream = await openStream(gw.gateway.url, auth(key), session);
    expect(stream.status).toBe(200);
    await within("the stream to end at the key's expiry", stream.ended, 10_000);
  });

  it("an API key store that can no longer be read ends API-key streams (fail closed)", async () => {
    const { key } = gw.apiKey("store-bot", ["eng"]);
    const session = await handshake(gw.gateway.url, auth(key));
    const stream = await openStream(gw.gateway.url, auth(key), session);
    expect(stream.status).toBe(200);
    const file = join(gw.dataDir, "api-keys.json");
    const saved = readFileSync(file, "utf8");
    try {
      writeFileSync(file, "{ not json");
      await within("the stream to end on an unreadable store", stream.ended, 10_000);
      const refused = await rawRequest(gw.gateway.url, {
        headers: { ...MCP_HEADERS, ...auth(key), "mcp-session-id": session },
        body: JSON.stringify(request("tools/list")),
      });
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.text).not.toContain('"tools"');
    } finally {
      writeFileSync(file, saved, { mode: 0o600 });
    }
  });
});
