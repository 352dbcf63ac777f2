// The inbound token never leaves the gateway, and each upstream gets its own configured credential.
// A real gateway (repo policies, development principal on loopback, a catalog folder read from
// disk) fronts four header-recording MCP upstreams over Streamable HTTP and one stdio upstream; a
// real OpenID provider (oidc-provider) issues the client-credentials and token-exchange tokens.
// The MCP client sends its own bearer token (a development token the --dev gateway accepts), a
// cookie and a custom header: none may arrive.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { decodeJwt } from "jose";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../../../gateway/catalog/index.ts";
import { loadConfig } from "../../../gateway/config.ts";
import { signDevToken } from "../../../gateway/auth/dev-token.ts";
import { Gateway } from "../../../gateway/gateway.ts";
import type { Logger } from "../../../gateway/log.ts";
import {
  startHeaderRecorder,
  type HeaderRecorder,
} from "../../fixtures/upstreams/header-recorder.ts";
import { within } from "../server/helpers.ts";
import { scriptedServer, textOf, waitFor } from "../upstream/helpers.ts";
import {
  BASIC_CLIENT,
  POST_CLIENT,
  TOKEN_EXCHANGE,
  startAuthorizationServer,
  type AuthorizationServer,
} from "./authorization-server.ts";
import { loopbackEgress } from "../../helpers/egress.ts";

let CLIENT_TOKEN = "";
const CLIENT_COOKIE = "session=client-cookie-xyz";
const CLIENT_HEADER = "client-header-xyz";
const STATIC_TOKEN = "static-upstream-token-0123456789";
const STDIO_KEY = "stdio-upstream-key-0123456789";

let tmp: string;
let as: AuthorizationServer;
type RecorderName = "plain" | "keyed" | "machine" | "delegated" | "legacy";
const recorders = {} as Record<RecorderName, HeaderRecorder>;
let gateway: Gateway;
let client: Client;
const logLines: string[] = [];
const recordingLog: Logger = {
  log: (level, message, fields) =>
    void logLines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
};

function writeCatalog(): string {
  const dir = join(tmp, "catalog");
  mkdirSync(join(dir, "servers"), { recursive: true });
  const secret = (name: string, value: string) => {
    const path = join(tmp, name);
    writeFileSync(path, `${value}\n`);
    return `file:${path}`;
  };
  const server = (name: string, transport: string, credentials?: Record<string, string>) =>
    writeFileSync(
      join(dir, "servers", `${name}.yaml`),
      [
        `name: ${name}`,
        transport,
        ...(credentials
          ? ["credentials:", ...Object.entries(credentials).map(([k, v]) => `  ${k}: ${v}`)]
          : []),
        "tools:\n  echo: { risk: read }\n  env: { risk: read }\n",
      ].join("\n"),
    );
  const http = (url: string) => `transport:\n  type: http\n  url: ${url}`;
  server("plain", http(recorders.plain.url));
  server("keyed", http(recorders.keyed.url), {
    type: "static",
    header: "Authorization",
    scheme: "Bearer",
    value: secret("static-token", STATIC_TOKEN),
  });
  server("machine", http(recorders.machine.url), {
    type: "oauth_client_credentials",
    token_url: as.tokenUrl,
    client_id: BASIC_CLIENT.id,
    client_secret: secret("basic-secret", BASIC_CLIENT.secret),
    scope: "mcp:tools",
    resource: recorders.machine.url,
  });
  server("delegated", http(recorders.delegated.url), {
    type: "oauth_token_exchange",
    issuer: as.issuer,
    client_id: POST_CLIENT.id,
    client_secret: secret("post-secret", POST_CLIENT.secret),
    auth_method: "client_secret_post",
    resource: recorders.delegated.url,
    subject_token: "{ scope: gateway }",
  });
  server("legacy", `transport:\n  type: sse\n  url: ${recorders.legacy.sseUrl}`, {
    type: "oauth_client_credentials",
    token_url: as.tokenUrl,
    client_id: BASIC_CLIENT.id,
    client_secret: secret("basic-secret", BASIC_CLIENT.secret),
    resource: recorders.legacy.sseUrl,
  });
  server(
    "local",
    `transport:\n  type: stdio\n  command: ${process.execPath}\n  args: [${JSON.stringify(scriptedServer)}]`,
    { type: "static", env: "UPSTREAM_API_KEY", value: secret("stdio-key", STDIO_KEY) },
  );
  return dir;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "gatehouse-upstream-credentials-"));
  for (const name of ["plain", "keyed", "machine", "delegated", "legacy"] as const)
    recorders[name] = await startHeaderRecorder();
  as = await startAuthorizationServer({
    resources: [recorders.machine.url, recorders.delegated.url, recorders.legacy.sseUrl],
  });
  const config = loadConfig({ flags: { port: 0, dev: true, dataDir: join(tmp, "data") } });
  gateway = await Gateway.start(config, {
    log: recordingLog,
    catalog: loadCatalog(writeCatalog(), { egress: loopbackEgress().policy }),
  });
  await waitFor(
    "upstreams ready",
    () => gateway.pool.status().every((s) => s.state === "ready"),
    30_000,
  );
  CLIENT_TOKEN = await signDevToken(config.dataDir, {
    sub: "alice",
    audience: gateway.url,
    groups: ["eng"],
    ttlSeconds: 600,
  });
  client = new Client({ name: "credentials-e2e", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(gateway.url), {
    requestInit: {
      headers: {
        Authorization: `Bearer ${CLIENT_TOKEN}`,
        Cookie: CLIENT_COOKIE,
        "X-Client-Secret": CLIENT_HEADER,
      },
    },
  });
  await within("connect", client.connect(transport));
}, 60_000);

afterAll(async () => {
  await client?.close();
  await gateway?.close();
  await Promise.all(Object.values(recorders).map((r) => r.close()));
  await as?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const echo = async (server: string, message: string) => {
  const result = await within(
    server,
    client.callTool({ name: `${server}__echo`, arguments: { message } }),
  );
  expect(textOf(result)).toBe(message);
};

describe("upstream credentials through the gateway", () => {
  it("calls every upstream with the client's own token, cookie and header set", async () => {
    expect(logLines.join("\n")).not.toMatch(/Unauthorized/);
    const { tools } = await within("tools/list", client.listTools());
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(Object.keys(recorders).map((name) => `${name}__echo`)),
    );
    for (const server of Object.keys(recorders)) await echo(server, `hi ${server}`);
  });

  it("never lets the client's token, cookie or custom header reach any upstream", () => {
    for (const [name, recorder] of Object.entries(recorders)) {
      expect(recorder.requests.length, name).toBeGreaterThanOrEqual(3); // initialize, initialized, calls
      for (const request of recorder.requests) {
        const text = JSON.stringify(request.headers);
        expect(text, name).not.toContain(CLIENT_TOKEN);
        expect(text, name).not.toContain("client-cookie-xyz");
        expect(text, name).not.toContain(CLIENT_HEADER);
        expect(request.headers.cookie, name).toBeUndefined();
        expect(request.headers["x-client-secret"], name).toBeUndefined();
      }
    }
    expect(recorders.plain.valuesOf("authorization")).toEqual([]);
  });

  it("sends the static credential on every request", () => {
    const sent = recorders.keyed.valuesOf("authorization");
    expect(sent.length).toBe(recorders.keyed.requests.length);
    expect(new Set(sent)).toEqual(new Set([`Bearer ${STATIC_TOKEN}`]));
  });

  it("sends one cached client-credentials token for the upstream's resource", () => {
    const issued = as.issued.filter((i) => i.resource === recorders.machine.url);
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatchObject({
      grant: "client_credentials",
      clientId: BASIC_CLIENT.id,
      scope: "mcp:tools",
    });
    const sent = recorders.machine.valuesOf("authorization");
    expect(sent.length).toBe(recorders.machine.requests.length);
    expect(new Set(sent)).toEqual(new Set([`Bearer ${issued[0]!.token}`]));
    expect(decodeJwt(issued[0]!.token).aud).toBe(recorders.machine.url);
  });

  it("sends a token exchanged for the gateway's own token", () => {
    const exchanged = as.issued.filter((i) => i.grant === TOKEN_EXCHANGE);
    expect(exchanged).toHaveLength(1);
    const own = as.issued.find((i) => i.token === exchanged[0]!.subjectToken);
    expect(own).toMatchObject({
      grant: "client_credentials",
      clientId: POST_CLIENT.id,
      scope: "gateway",
    });
    expect(own!.resource).toBeUndefined();
    expect(new Set(recorders.delegated.valuesOf("authorization"))).toEqual(
      new Set([`Bearer ${exchanged[0]!.token}`]),
    );
    const claims = decodeJwt(exchanged[0]!.token);
    expect(claims.aud).toBe(recorders.delegated.url);
    expect(claims.act).toEqual({ sub: POST_CLIENT.id });
  });

  it("sends the token on the legacy SSE transport's event stream and its POSTs", () => {
    const issued = as.issued.filter((i) => i.resource === recorders.legacy.sseUrl);
    expect(issued).toHaveLength(1);
    const methods = new Set(recorders.legacy.requests.map((r) => r.method));
    expect(methods).toEqual(new Set(["GET", "POST"]));
    for (const request of recorders.legacy.requests)
      expect(request.headers.authorization).toBe(`Bearer ${issued[0]!.token}`);
  });

  it("gives a stdio upstream its static credential in its environment, and nothing else of ours", async () => {
    const result = await within("env", client.callTool({ name: "local__env", arguments: {} }));
    const env = JSON.parse(textOf(result)) as Record<string, string>;
    expect(env.UPSTREAM_API_KEY).toBe(STDIO_KEY);
    expect(Object.values(env).join("\n")).not.toContain(CLIENT_TOKEN);
  });

  it("answers an upstream's 401 with a fresh token and one retry", async () => {
    const before = as.issued.filter((i) => i.resource === recorders.machine.url);
    const seen = recorders.machine.requests.length;
    recorders.machine.refuseNext(1);
    await echo("machine", "after a 401");
    const after = as.issued.filter((i) => i.resource === recorders.machine.url);
    expect(after).toHaveLength(before.length + 1);
    const requests = recorders.machine.requests.slice(seen);
    expect(requests[0]).toMatchObject({ refusedWith: 401 });
    expect(requests[0]!.headers.authorization).toBe(`Bearer ${before.at(-1)!.token}`);
    expect(requests[1]!.refusedWith).toBeUndefined();
    expect(requests[1]!.headers.authorization).toBe(`Bearer ${after.at(-1)!.token}`);
  });

  it("logs none of the secrets or tokens", () => {
    const text = logLines.join("\n");
    expect(text).toContain("upstream machine is ready"); // the log was recorded
    const secrets = [
      STATIC_TOKEN,
      STDIO_KEY,
      BASIC_CLIENT.secret,
      POST_CLIENT.secret,
      CLIENT_TOKEN,
    ];
    for (const secret of [...secrets, ...as.issued.map((i) => i.token)])
      expect(text).not.toContain(secret);
  });
});
