// Hardening of what the gateway answers besides MCP results: /metrics behind its token (and, when
// configured, loopback only); a policy that fails to evaluate denies without telling the client
// where the policy files are (the record and the log keep the full message under the decision
// id); a foreign Origin and an oversized body are refused before any session or decision exists.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ToolMetadata } from "../../gateway/catalog/index.ts";
import { loadConfig } from "../../gateway/config.ts";
import { Gateway } from "../../gateway/gateway.ts";
import { MCP_HEADERS, rawRequest } from "../gateway/server/helpers.ts";
import { memoryTelemetry } from "../gateway/telemetry/helpers.ts";
import { MetricsAccess } from "../../gateway/telemetry/metrics-access.ts";
import { catalogOf, scriptedServer, stdio } from "../gateway/upstream/helpers.ts";
import { recordingLog } from "../gateway/auth/helpers.ts";
import {
  auth,
  handshake,
  request,
  rpc,
  startIdentityGateway,
  type IdentityGateway,
} from "./identity-gateway.ts";

const meta = (risk: ToolMetadata["risk"]): ToolMetadata => ({ risk, tags: [] });
const METRICS_TOKEN = "metrics-token-0123456789abcdef";

function scriptedCatalog() {
  const catalog = catalogOf({ scripted: stdio([scriptedServer]) });
  catalog.servers.get("scripted")!.isolation = "shared";
  catalog.servers.get("scripted")!.tools = { echo: meta("read") };
  return catalog;
}

describe("hardening: /metrics access", () => {
  let gateway: Gateway;
  let dataDir: string;
  let port: number;
  const log = recordingLog();

  beforeAll(async () => {
    process.env.GATEHOUSE_TEST_METRICS_TOKEN = METRICS_TOKEN;
    dataDir = mkdtempSync(join(tmpdir(), "gatehouse-metrics-"));
    const config = loadConfig({
      flags: {
        host: "127.0.0.1",
        port: 0,
        dataDir,
        metrics: { token: "env:GATEHOUSE_TEST_METRICS_TOKEN", loopbackOnly: true },
      },
    });
    gateway = await Gateway.start(config, {
      log,
      catalog: scriptedCatalog(),
      telemetry: memoryTelemetry().telemetry,
    });
    port = Number(new URL(gateway.url).port);
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    delete process.env.GATEHOUSE_TEST_METRICS_TOKEN;
  });

  const scrape = (host: string, headers: Record<string, string> = {}) =>
    rawRequest(`http://${host}:${port}/metrics`, { method: "GET", headers });

  it("a scrape without the configured bearer token gets 401 and no metrics", async () => {
    const answer = await scrape("127.0.0.1");
    expect(answer.status).toBe(401);
    expect(answer.headers["www-authenticate"]).toMatch(/^Bearer /);
    expect(answer.text).not.toContain("gatehouse_");
  });

  it("a scrape with a wrong token (or the right one as another scheme) gets 401", async () => {
    for (const authorization of [
      `Bearer ${METRICS_TOKEN.slice(0, -1)}x`,
      `Bearer ${METRICS_TOKEN}0`,
      `Basic ${METRICS_TOKEN}`,
      METRICS_TOKEN,
    ]) {
      const answer = await scrape("127.0.0.1", { authorization });
      expect(answer.status, authorization).toBe(401);
      expect(answer.text).not.toContain("gatehouse_");
    }
    expect(log.lines.some((l) => l.includes(METRICS_TOKEN))).toBe(false);
  });

  it("the right token from loopback reads the metrics (the baseline)", async () => {
    const answer = await scrape("127.0.0.1", { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toMatch(/^text\/plain/);
  });

  it("with loopbackOnly, even the right token from a non-loopback address gets 403", () => {
    // Servers here listen on loopback only, so no request can come from elsewhere: the access
    // rule is asked directly with the remote address such a request would carry (a documentation
    // address; nothing is sent to it).
    const access = new MetricsAccess(
      { token: "env:GATEHOUSE_TEST_METRICS_TOKEN", loopbackOnly: true },
      { GATEHOUSE_TEST_METRICS_TOKEN: METRICS_TOKEN },
    );
    const bearer = `Bearer ${METRICS_TOKEN}`;
    expect(access.refusal(bearer, "203.0.113.7")?.status).toBe(403);
    expect(access.refusal(bearer, "::ffff:203.0.113.7")?.status).toBe(403);
    expect(access.refusal(bearer, "127.0.0.1")).toBeUndefined();
  });
});

describe("hardening: refusals that tell nothing of the gateway's insides", () => {
  let gw: IdentityGateway;
  let policyDir: string;
  let alice: Record<string, string>;
  let session: string;

  beforeAll(async () => {
    policyDir = mkdtempSync(join(tmpdir(), "gatehouse-broken-policy-"));
    writeFileSync(
      join(policyDir, "decision.rego"),
      `# Allows, except that a call with arguments.mode = "builtin_error" makes a builtin throw and
# one with "conflict" gives a complete rule two values: both evaluation errors name this file.
package gatehouse

mode := object.get(input, ["mcp", "arguments", "mode"], "")

broken if time.parse_rfc3339_ns("not a time") > 0

picked := 1 if mode == "conflict"

picked := 2 if mode == "conflict"

default allow := true

allow := false if {
	mode == "builtin_error"
	broken
}

allow := false if picked == 3

decision := {
	"allow": allow,
	"reasons": ["allowed by the test policy"],
	"visible_tools": [name | some c in input.list; name := concat("__", [c.server, c.name])],
}
`,
    );
    gw = await startIdentityGateway({
      catalog: scriptedCatalog(),
      flags: { policyDirs: [policyDir] },
      waitFor: ["scripted"],
    });
    alice = auth(await gw.craftedToken({ sub: "alice", groups: ["eng"] }));
    session = await handshake(gw.gateway.url, alice);
  }, 120_000);

  afterAll(async () => {
    await gw?.close();
    if (policyDir) rmSync(policyDir, { recursive: true, force: true });
  });

  const brokenCall = (mode: string) =>
    request("tools/call", { name: "scripted__echo", arguments: { text: "x", mode } });

  /** Calls with the mode; expects a gateway-made denial whose told text holds no path. */
  async function deniedWithoutPaths(mode: string) {
    const answer = await rpc(gw.gateway.url, alice, brokenCall(mode), session);
    const { error } = answer.json;
    expect(error.code).toBe(-32003);
    expect(error.message).toMatch(/policy evaluation failed/);
    const told = `${error.message} ${JSON.stringify(error.data)}`;
    expect(told).not.toContain(policyDir);
    expect(told).not.toMatch(/\.rego/);
    expect(told).not.toContain("echo: x");
    const record = await gw.record(error.data.decision_id as string);
    expect(record.allow).toBe(false);
    expect(record.upstream ?? null).toBeNull();
    return { error, record };
  }

  it("an evaluation error located in a policy file (eval_conflict_error) is denied without the file's path or line; the record and the log keep them under the decision id", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const { error, record } = await deniedWithoutPaths("conflict");
      expect(error.message).toContain("eval_conflict_error");
      expect(JSON.stringify(record.reasons)).toContain(join(policyDir, "decision.rego"));
      const lines = logged.mock.calls.map((c) => c.join(" "));
      expect(
        lines.some((l) => l.includes(error.data.decision_id) && l.includes("decision.rego")),
      ).toBe(true);
    } finally {
      logged.mockRestore();
    }
  });

  it("a builtin that throws during evaluation is denied with what failed, and no path", async () => {
    const { error } = await deniedWithoutPaths("builtin_error");
    expect(error.message).toContain("eval_builtin_error: time.parse_rfc3339_ns");
  });

  it("a request with a foreign Origin (a web page's cross-site call) gets 403 before anything is decided", async () => {
    const before = (await gw.records()).length;
    const answer = await rawRequest(gw.gateway.url, {
      headers: {
        ...MCP_HEADERS,
        ...alice,
        origin: "https://evil.example",
        "mcp-session-id": session,
      },
      body: JSON.stringify(
        request("tools/call", { name: "scripted__echo", arguments: { text: "csrf" } }),
      ),
    });
    expect(answer.status).toBe(403);
    expect(answer.json.error.message).toBe("Forbidden: Origin not allowed");
    expect(answer.text).not.toContain("echo: csrf");
    expect((await gw.records()).length).toBe(before);
  });

  it("a 2 MB body gets 413 and is not parsed, decided or forwarded", async () => {
    const before = (await gw.records()).length;
    const text = "A".repeat(2 * 1024 * 1024);
    const answer = await rawRequest(gw.gateway.url, {
      headers: { ...MCP_HEADERS, ...alice, "mcp-session-id": session },
      body: JSON.stringify(request("tools/call", { name: "scripted__echo", arguments: { text } })),
      timeoutMs: 30_000,
    }).catch((e: Error) => e);
    // the gateway answers before reading the rest and closes the connection
    if (!(answer instanceof Error)) {
      expect(answer.status).toBe(413);
      expect(answer.json.error.code).toBe(-32600);
    }
    expect((await gw.records()).length).toBe(before);
    const still = await rpc(gw.gateway.url, alice, brokenCall(""), session);
    expect(still.json.result.content[0].text).toBe("echo: x");
  });
});
