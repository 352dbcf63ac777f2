// Hardening against floods from one identity: a burst of requests is answered 429 with Retry-After
// past the principal's budget and recovers after it; sessions are capped per principal (issuer and
// subject, whatever client it uses) under the global cap, so others keep room; sessions that never
// finish their handshake give their place back quickly; and the policy's rate_limit obligation
// counts per principal and tool on both call paths. Real gateways (no --dev) trusting a real
// OpenID provider, with API keys, over a scripted stdio upstream.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ToolMetadata } from "../../gateway/catalog/index.ts";
import { rawRequest, MCP_HEADERS } from "../gateway/server/helpers.ts";
import { catalogOf, scriptedServer, stdio } from "../gateway/upstream/helpers.ts";
import {
  auth,
  handshake,
  request,
  rpc,
  startIdentityGateway,
  type IdentityGateway,
} from "./identity-gateway.ts";

const meta = (risk: ToolMetadata["risk"]): ToolMetadata => ({ risk, tags: [] });

function scriptedCatalog() {
  const catalog = catalogOf({ scripted: stdio([scriptedServer]) });
  const scripted = catalog.servers.get("scripted")!;
  scripted.isolation = "shared";
  scripted.tools = { echo: meta("read"), log: meta("read") };
  return catalog;
}

const echo = (text: string, meta?: Record<string, unknown>) =>
  request("tools/call", {
    name: "scripted__echo",
    arguments: { text },
    ...(meta ? { _meta: meta } : {}),
  });

const initialize = () =>
  request("initialize", {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "flooder", version: "1" },
  });

describe("hardening: per-principal request rate and session caps", () => {
  let gw: IdentityGateway;

  beforeAll(async () => {
    gw = await startIdentityGateway({
      catalog: scriptedCatalog(),
      flags: {
        limits: {
          // low, so the flood outruns the budget however slowly this machine serves it
          requestsPerSecond: 5,
          requestBurst: 20,
          maxSessions: 20,
          maxSessionsPerPrincipal: 3,
          handshakeTimeoutMs: 1000,
        },
      },
      waitFor: ["scripted"],
    });
  }, 120_000);

  afterAll(async () => {
    await gw?.close();
  });

  it("500 calls at once from one principal: past the burst they get 429 with Retry-After and a JSON-RPC error, and calls work again after it", async () => {
    const { key } = gw.apiKey("flooder", ["eng"]);
    const flooder = auth(key);
    const session = await handshake(gw.gateway.url, flooder);
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        rpc(gw.gateway.url, flooder, echo(`flood ${i}`), session),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const limited = answers.filter((a) => a.status === 429);
    const served = answers.filter((a) => a.status === 200);
    expect(served.length + limited.length).toBe(500);
    // at most the burst plus what the rate refilled while the flood lasted (however long it took)
    expect(served.length).toBeLessThanOrEqual(20 + Math.ceil(5 * seconds) + 1);
    expect(limited.length).toBeGreaterThan(0);
    const first = limited[0]!;
    const retryAfter = Number(first.headers["retry-after"]);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    expect(first.json).toMatchObject({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32000, message: expect.stringMatching(/^Too Many Requests: /) },
    });
    // refused before the session saw them: no decision records for them, no upstream calls
    const records = (await gw.records()).filter(
      (r) => r.session_id === session && r.method === "tools/call",
    );
    expect(records.length).toBeLessThanOrEqual(served.length);
    // one log line per flood, not one per refused request
    const logged = gw.log.lines.filter((l) => l.includes("Too Many Requests"));
    expect(logged.length).toBeLessThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    const after = await rpc(gw.gateway.url, flooder, echo("after the wait"), session);
    expect(after.json.result.content[0].text).toBe("echo: after the wait");
  });

  it("while one principal is over its rate, another principal's calls are served", async () => {
    const { key } = gw.apiKey("flooder-2", ["eng"]);
    const flooder = auth(key);
    const session = await handshake(gw.gateway.url, flooder);
    let limited = false;
    for (let wave = 0; wave < 20 && !limited; wave++) {
      const answers = await Promise.all(
        Array.from({ length: 150 }, () => rpc(gw.gateway.url, flooder, echo("x"), session)),
      );
      limited = answers.some((a) => a.status === 429);
    }
    expect(limited).toBe(true);
    const bystander = auth(await gw.userToken("bystander", ["eng"]));
    const other = await handshake(gw.gateway.url, bystander);
    const answer = await rpc(gw.gateway.url, bystander, echo("unaffected"), other);
    expect(answer.json.result.content[0].text).toBe("echo: unaffected");
  });

  it("one subject cannot take more than its session cap, even through several OAuth clients, and others still get sessions", async () => {
    const opened = [];
    for (const client of ["client-a", "client-b", "client-c"])
      opened.push(
        await handshake(
          gw.gateway.url,
          auth(await gw.craftedToken({ sub: "hoarder", groups: ["eng"], client_id: client })),
        ),
      );
    const fourth = await rpc(
      gw.gateway.url,
      auth(await gw.craftedToken({ sub: "hoarder", groups: ["eng"], client_id: "client-d" })),
      initialize(),
    );
    expect(fourth.status).toBe(429);
    expect(fourth.json.error.message).toMatch(
      /too many open sessions for this principal \(limit 3\)/,
    );
    expect(fourth.headers["mcp-session-id"]).toBeUndefined();
    const other = auth(await gw.userToken("newcomer", ["eng"]));
    await handshake(gw.gateway.url, other);
    // ending one gives the place back
    const first = auth(
      await gw.craftedToken({ sub: "hoarder", groups: ["eng"], client_id: "client-a" }),
    );
    const ended = await rawRequest(gw.gateway.url, {
      method: "DELETE",
      headers: { ...MCP_HEADERS, ...first, "mcp-session-id": opened[0]! },
    });
    expect(ended.status).toBe(200);
    await handshake(gw.gateway.url, first);
  });

  it("sessions that never send notifications/initialized expire quickly and give their place back", async () => {
    const squatter = auth(await gw.craftedToken({ sub: "squatter", groups: ["eng"] }));
    const half = [];
    for (let i = 0; i < 3; i++) {
      const init = await rpc(gw.gateway.url, squatter, initialize());
      expect(init.status).toBe(200);
      half.push(String(init.headers["mcp-session-id"]));
    }
    expect((await rpc(gw.gateway.url, squatter, initialize())).status).toBe(429);
    let reopened;
    for (let i = 0; i < 100; i++) {
      reopened = await rpc(gw.gateway.url, squatter, initialize());
      if (reopened.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(reopened!.status).toBe(200);
    for (const id of half) {
      const stale = await rpc(gw.gateway.url, squatter, request("tools/list"), id);
      expect(stale.status).toBe(404);
    }
    expect(gw.log.lines.some((l) => l.includes("session expired (handshake not finished)"))).toBe(
      true,
    );
  });
});

describe("hardening: the rate_limit obligation", () => {
  let gw: IdentityGateway;
  let policyDir: string;

  beforeAll(async () => {
    policyDir = mkdtempSync(join(tmpdir(), "gatehouse-rate-policy-"));
    writeFileSync(
      join(policyDir, "decision.rego"),
      `# Allows everything, with a rate_limit obligation of 2 calls a minute.
package gatehouse

decision := {
	"allow": true,
	"reasons": ["allowed by the rate-limit test policy"],
	"obligations": {"rate_limit": {"requests": 2, "per": "1m"}},
	"visible_tools": [name | some c in input.list; name := concat("__", [c.server, c.name])],
}
`,
    );
    gw = await startIdentityGateway({
      catalog: scriptedCatalog(),
      flags: { policyDirs: [policyDir] },
      waitFor: ["scripted"],
    });
  }, 120_000);

  afterAll(async () => {
    await gw?.close();
    if (policyDir) rmSync(policyDir, { recursive: true, force: true });
  });

  it("counts per principal and tool, on the fast path and the SDK path alike", async () => {
    const alice = auth(await gw.craftedToken({ sub: "alice", groups: ["eng"] }));
    const session = await handshake(gw.gateway.url, alice);
    for (const text of ["one", "two"]) {
      const ok = await rpc(gw.gateway.url, alice, echo(text), session);
      expect(ok.json.result.content[0].text).toBe(`echo: ${text}`);
    }
    const fast = await rpc(gw.gateway.url, alice, echo("three"), session);
    expect(fast.json.error.code).toBe(-32003);
    expect(fast.json.error.message).toMatch(
      /rate limit of 2 calls per 1m on scripted__echo exceeded for alice/,
    );
    // with a progress token the call takes the SDK's transport: same bucket
    const viaSdk = await rpc(gw.gateway.url, alice, echo("four", { progressToken: 7 }), session);
    const sdkAnswer = viaSdk.json;
    expect(sdkAnswer.error.code).toBe(-32003);
    expect(viaSdk.text).not.toContain("echo: four");
    // a second session of alice's does not start a new budget
    const again = await handshake(gw.gateway.url, alice);
    expect((await rpc(gw.gateway.url, alice, echo("five"), again)).json.error.code).toBe(-32003);
    // another tool has its own budget, another principal its own
    const log = await rpc(
      gw.gateway.url,
      alice,
      request("tools/call", { name: "scripted__log", arguments: { tag: "t" } }),
      session,
    );
    expect(log.text).toContain("logged");
    const bob = auth(await gw.craftedToken({ sub: "bob", groups: ["eng"] }));
    const bobSession = await handshake(gw.gateway.url, bob);
    const bobs = await rpc(gw.gateway.url, bob, echo("bob"), bobSession);
    expect(bobs.json.result.content[0].text).toBe("echo: bob");
    // the refused calls never reached the upstream
    const refusedRecord = await gw.record(fast.json.error.data.decision_id);
    expect(refusedRecord.upstream ?? null).toBeNull();
  });
});
