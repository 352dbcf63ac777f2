// SSRF through the gateway's connections to HTTP upstreams: a catalog entry (or a redirect, or a
// DNS answer) that points the gateway at an internal address. The catalog check refuses such URLs
// at load (mcp04-catalog-*.test.ts); here the catalog is handed to the gateway directly, so what is
// shown is the egress guard at connect time: every upstream request (the SDK transport's fetch and
// the lean POST alike) is refused, and the stand-in internal service (a trap on 127.0.0.1) gets no
// connection. The gateway runs --dev for its own callers, with the production egress rules: only
// the legitimate upstream's exact address and port (127.0.0.2:P, a stand-in for a public host)
// is allow-listed.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadCatalog } from "../../gateway/catalog/index.ts";
import { loadConfig } from "../../gateway/config.ts";
import { EgressGuard, type Resolver } from "../../gateway/egress/index.ts";
import { Gateway } from "../../gateway/gateway.ts";
import { leanPost } from "../../gateway/mcp/upstream/lean-post.ts";
import { recordingLog } from "../gateway/auth/helpers.ts";
import { catalogOf } from "../gateway/upstream/helpers.ts";
import {
  LEGIT_HOST,
  spyRequests,
  startLegitServer,
  startTrap,
  twinListeners,
  type LegitServer,
  type Trap,
} from "./ssrf-targets.ts";

const ALLOW_ALL = `package gatehouse

decision := {
	"allow": true,
	"reasons": ["egress attacks: the policy allows everything"],
	"obligations": {"redact_arguments": [], "redact_result": [], "confirm": false, "rate_limit": null},
	"visible_tools": [sprintf("%s__%s", [c.server, c.name]) | some c in input.list],
}
`;
const UPSTREAM_KEY = "upstream-api-key-that-must-not-leak-0815";

let dir: string;
let trap: Trap;
let legit: LegitServer;
let gateway: Gateway;
const log = recordingLog();
let requests: ReturnType<typeof spyRequests>;

/** Only the legitimate upstream allow-listed; `internal.test` resolves to the trap's address. */
function productionGuard(resolve?: Resolver): EgressGuard {
  return new EgressGuard(
    { dev: false, allow: [], allowHttp: [`${LEGIT_HOST}:${legit.port}`] },
    { resolve: resolve ?? (async () => [{ address: "127.0.0.1", family: 4 }]) },
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gatehouse-ssrf-"));
  mkdirSync(join(dir, "policy"));
  writeFileSync(join(dir, "policy", "allow-all.rego"), ALLOW_ALL);
  trap = await startTrap();
  legit = await startLegitServer();
  // the legitimate upstream redirects every MCP request to the internal service
  legit.routes.set("/mcp", (_req, res) =>
    res.writeHead(307, { location: `http://127.0.0.1:${trap.port}/mcp` }).end(),
  );
  const catalog = catalogOf({
    metadata: { type: "http", url: "http://169.254.169.254/mcp", headers: {} },
    private: {
      type: "http",
      url: "https://10.0.0.5/mcp",
      headers: { "x-api-key": "env:SSRF_UPSTREAM_KEY" },
    },
    loopback: { type: "http", url: `http://127.0.0.1:${trap.port}/mcp`, headers: {} },
    mapped: { type: "sse", url: `http://[::ffff:127.0.0.1]:${trap.port}/sse`, headers: {} },
    decimal: { type: "http", url: `http://2130706433:${trap.port}/mcp`, headers: {} },
    named: { type: "http", url: `http://internal.test:${trap.port}/mcp`, headers: {} },
    redirecting: { type: "http", url: `${legit.origin}/mcp`, headers: {} },
  });
  for (const server of catalog.servers.values())
    server.tools = { fetch_secrets: { risk: "read", tags: [] } };
  const config = loadConfig({
    flags: { port: 0, dev: true, dataDir: join(dir, "data"), policyDirs: [join(dir, "policy")] },
  });
  process.env.SSRF_UPSTREAM_KEY = UPSTREAM_KEY;
  gateway = await Gateway.start(config, { log, catalog, egress: productionGuard() });
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await trap?.close();
  await legit?.close();
  delete process.env.SSRF_UPSTREAM_KEY;
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  requests = spyRequests();
});
afterEach(() => requests.restore());

/** Calls `<server>__fetch_secrets` in a fresh session; the failure the client sees. */
async function callThrough(server: string): Promise<string> {
  const client = new Client({ name: "ssrf-attacker", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url)));
  try {
    const result = await client.callTool({ name: `${server}__fetch_secrets`, arguments: {} });
    expect(result.isError).toBe(true);
    return JSON.stringify(result.content);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await client.close();
  }
}

/** The call fails, and the gateway's log names the refused URL and the rule. */
async function refusedUpstream(server: string, logged: RegExp): Promise<void> {
  const answer = await callThrough(server);
  // the caller is told which server and why, not what the internal service would have answered
  expect(answer).toContain(server);
  expect(answer).toMatch(/egress refused/);
  expect(answer).not.toContain("internal-data");
  expect(answer).not.toContain(UPSTREAM_KEY);
  const text = log.lines.join("\n");
  expect(text).toMatch(logged);
  expect(text).not.toContain(UPSTREAM_KEY);
}

describe("SSRF through HTTP upstreams", () => {
  it("an upstream at the metadata address 169.254.169.254: refused, no request made", async () => {
    await refusedUpstream(
      "metadata",
      /egress refused: http:\/\/169\.254\.169\.254\/mcp \(address 169\.254\.169\.254\): cloud metadata endpoint/,
    );
    expect(requests.hosts()).not.toContain("169.254.169.254");
  });

  it("an upstream on a private address (10.0.0.5) with an API key: refused, the key never sent", async () => {
    await refusedUpstream(
      "private",
      /egress refused: https:\/\/10\.0\.0\.5\/mcp .*private address/,
    );
    expect(requests.hosts()).not.toContain("10.0.0.5");
  });

  it("an upstream on an internal loopback service: refused, the service got no connection", async () => {
    await refusedUpstream("loopback", /egress refused: http:\/\/127\.0\.0\.1:\d+\/mcp .*loopback/);
    expect(trap.connections()).toBe(0);
  });

  it("an SSE upstream at IPv4-mapped IPv6 [::ffff:127.0.0.1]: refused", async () => {
    await refusedUpstream("mapped", /::ffff:7f00:1, which reaches 127\.0\.0\.1\): loopback/);
    expect(trap.connections()).toBe(0);
  });

  it("an upstream at a decimal IP (http://2130706433/): refused", async () => {
    await refusedUpstream("decimal", /egress refused: http:\/\/127\.0\.0\.1:\d+\/mcp/);
    expect(trap.connections()).toBe(0);
  });

  it("an upstream whose name resolves to an internal address: refused at connect time", async () => {
    await refusedUpstream(
      "named",
      /egress refused: http:\/\/internal\.test:\d+\/mcp \(address 127\.0\.0\.1\): loopback/,
    );
    expect(trap.connections()).toBe(0);
  });

  it("an allowed upstream that redirects to an internal service: the redirect goes nowhere", async () => {
    const before = legit.requests.length;
    const answer = await callThrough("redirecting");
    expect(legit.requests.length).toBeGreaterThan(before);
    expect(answer).not.toContain("internal-data");
    expect(trap.connections()).toBe(0);
  });

  it("the lean POST path (plain calls) refuses an internal URL before any socket", async () => {
    const posted = leanPost(new URL(`http://127.0.0.1:${trap.port}/mcp`), "{}", {
      egress: productionGuard(),
      headers: { authorization: `Bearer ${UPSTREAM_KEY}` },
      onMessage: () => undefined,
    });
    await expect(posted).rejects.toThrow(/egress refused: .*loopback/);
    expect(trap.connections()).toBe(0);
    expect(trap.received()).not.toContain(UPSTREAM_KEY);
  });

  it("a catalog folder with an upstream at the metadata address: the gateway refuses to start", async () => {
    const catalogDir = join(dir, "catalog-metadata");
    mkdirSync(join(catalogDir, "servers"), { recursive: true });
    writeFileSync(
      join(catalogDir, "servers", "meta.yaml"),
      "name: meta\ntransport: { type: http, url: 'http://169.254.169.254/latest/meta-data/' }\n",
    );
    const config = loadConfig({ flags: { port: 0, dev: true, catalogDir } });
    await expect(Gateway.start(config, { log: recordingLog() })).rejects.toThrow(
      /meta\.yaml: transport\.url: egress refused: http:\/\/169\.254\.169\.254\/latest\/meta-data\/ \(address 169\.254\.169\.254\): cloud metadata endpoint/,
    );
    expect(() => loadCatalog(catalogDir, { egress: productionGuard().policy })).toThrow(/metadata/);
    expect(requests.hosts()).not.toContain("169.254.169.254");
  });
});

describe("redirects and DNS answers, re-checked on every hop and connection", () => {
  it("a redirect from an allowed server to an internal service is re-checked and refused", async () => {
    const guard = productionGuard();
    legit.routes.set("/hop", (_req, res) =>
      res.writeHead(302, { location: `http://127.0.0.1:${trap.port}/internal` }).end(),
    );
    await expect(guard.fetch(`${legit.origin}/hop`)).rejects.toThrow(
      /egress refused: http:\/\/127\.0\.0\.1:\d+\/internal \(address 127\.0\.0\.1\): loopback/,
    );
    expect(legit.requests.at(-1)?.line).toBe("GET /hop");
    expect(trap.connections()).toBe(0);
  });

  it("a redirect from an allowed server to the metadata address is re-checked and refused", async () => {
    const guard = productionGuard();
    legit.routes.set("/hop-meta", (_req, res) =>
      res
        .writeHead(301, {
          location: "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        })
        .end(),
    );
    await expect(guard.fetch(`${legit.origin}/hop-meta`)).rejects.toThrow(
      /cloud metadata endpoint/,
    );
    expect(requests.hosts()).toContain(LEGIT_HOST);
    expect(requests.hosts()).not.toContain("169.254.169.254");
  });

  it("a redirect to another allowed origin carries no credential (Authorization, API key, session id)", async () => {
    const other = await startLegitServer();
    try {
      legit.routes.set("/to-other", (_req, res) =>
        res.writeHead(307, { location: `${other.origin}/landing` }).end(),
      );
      const guard = new EgressGuard({
        dev: false,
        allow: [],
        allowHttp: [`${LEGIT_HOST}:${legit.port}`, `${LEGIT_HOST}:${other.port}`],
      });
      let headersSeen: Record<string, unknown> = {};
      other.routes.set("/landing", (req, res) => {
        headersSeen = req.headers;
        res.writeHead(200).end("ok");
      });
      const response = await guard.fetch(`${legit.origin}/to-other`, {
        headers: {
          authorization: `Bearer ${UPSTREAM_KEY}`,
          "x-api-key": UPSTREAM_KEY,
          "mcp-session-id": "session-of-the-first-origin",
          accept: "application/json",
        },
      });
      expect(response.status).toBe(200);
      expect(legit.requests.at(-1)?.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
      expect(other.requests).toEqual([{ line: "GET /landing", body: "" }]);
      expect(JSON.stringify(headersSeen)).not.toContain(UPSTREAM_KEY);
      expect(headersSeen["mcp-session-id"]).toBeUndefined();
      expect(headersSeen.accept).toBe("application/json");
    } finally {
      await other.close();
    }
  });

  it("an https URL whose name resolves to an internal address: refused on the TLS path too", async () => {
    const asked: string[] = [];
    const guard = productionGuard(async (name) => {
      asked.push(name);
      return [{ address: "127.0.0.1", family: 4 }];
    });
    await expect(guard.fetch(`https://internal.test:${trap.port}/secrets`)).rejects.toThrow(
      /egress refused: https:\/\/internal\.test:\d+\/secrets \(address 127\.0\.0\.1\): loopback/,
    );
    expect(asked).toEqual(["internal.test"]);
    expect(trap.connections()).toBe(0);
  });

  it("DNS rebinding (first answer allowed, second internal): the second connection is refused", async () => {
    const { legit: site, trap: internal } = await twinListeners();
    try {
      site.routes.set("/data", (_req, res) => res.writeHead(200).end("public data"));
      let lookups = 0;
      const guard = new EgressGuard(
        { dev: false, allow: [], allowHttp: [`${LEGIT_HOST}:${site.port}`] },
        {
          resolve: async () => [{ address: lookups++ === 0 ? LEGIT_HOST : "127.0.0.1", family: 4 }],
        },
      );
      const url = `http://rebind.test:${site.port}/data`;
      expect(await (await guard.fetch(url)).text()).toBe("public data");
      await expect(guard.fetch(url)).rejects.toThrow(
        /egress refused: http:\/\/rebind\.test:\d+\/data \(address 127\.0\.0\.1\): loopback/,
      );
      expect(lookups).toBe(2);
      expect(internal.connections()).toBe(0);
    } finally {
      await site.close();
      await internal.close();
    }
  });
});
