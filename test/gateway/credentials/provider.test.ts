// CredentialProvider and the credentialed fetch on their own: what each kind of credentials adds,
// when a 401 leads to one retry, and what goes on the transport's redaction list. The upstream is
// a loopback HTTP server that records the Authorization header and answers a chosen status.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type {
  CatalogServer,
  ClientCredentialsConfig,
  UpstreamCredentials,
} from "../../../gateway/catalog/index.ts";
import {
  createCredentialProvider,
  fetchWithCredentials,
} from "../../../gateway/credentials/index.ts";
import { buildTransport } from "../../../gateway/mcp/upstream/transports.ts";
import {
  BASIC_CLIENT,
  TOKEN_EXCHANGE,
  startAuthorizationServer,
  type AuthorizationServer,
} from "./authorization-server.ts";
import { loopbackEgress } from "../../helpers/egress.ts";

const RESOURCE = "http://127.0.0.1:9/refusing/mcp";
const env = { BASIC_SECRET: BASIC_CLIENT.secret, STATIC_KEY: "static-key-0123456789" };
let as: AuthorizationServer;
let upstream: Server;
let upstreamUrl: string;
let status = 200;
let seen: (string | undefined)[] = [];

beforeAll(async () => {
  as = await startAuthorizationServer({ resources: [RESOURCE] });
  upstream = createServer((req, res) => {
    seen.push(req.headers.authorization);
    req.resume();
    res.writeHead(status).end();
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/mcp`;
});
afterAll(async () => {
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
  await as?.close();
});
beforeEach(() => {
  seen = [];
  status = 200;
});

const clientCredentials = (): ClientCredentialsConfig => ({
  type: "oauth_client_credentials",
  token_url: as.tokenUrl,
  client_id: BASIC_CLIENT.id,
  client_secret: "env:BASIC_SECRET",
  auth_method: "client_secret_basic",
  resource: RESOURCE,
});
const post = (body: RequestInit["body"] = "{}") => ({ method: "POST", body });
/** the authorization server runs on loopback over http */
const viaLoopback = { fetch: loopbackEgress().fetch };
const tokensIssued = () =>
  as.issued.filter((i) => i.resource === RESOURCE).map((i) => `Bearer ${i.token}`);

describe("static credentials", () => {
  it("add the header (with its scheme) and never retry a 401", async () => {
    const provider = createCredentialProvider(
      { type: "static", header: "Authorization", scheme: "Bearer", value: "env:STATIC_KEY" },
      env,
    );
    expect(provider.secrets).toEqual([env.STATIC_KEY]);
    status = 401;
    const response = await fetchWithCredentials(fetch, provider)(upstreamUrl, post());
    expect(response.status).toBe(401);
    expect(seen).toEqual([`Bearer ${env.STATIC_KEY}`]);
  });

  it("give a stdio child its variable, and name a missing reference without a value", () => {
    const provider = createCredentialProvider(
      { type: "static", env: "API_KEY", value: "env:STATIC_KEY" },
      env,
    );
    expect(provider.env).toEqual({ API_KEY: env.STATIC_KEY });
    expect(() =>
      createCredentialProvider({ type: "static", env: "API_KEY", value: "env:NOT_SET_HERE" }, env),
    ).toThrow("secret reference env:NOT_SET_HERE: environment variable NOT_SET_HERE is not set");
  });
});

describe("OAuth credentials over the credentialed fetch", () => {
  it("retry a refused request once with a fresh token, and refetch on the next request", async () => {
    const provider = createCredentialProvider(clientCredentials(), env, viaLoopback);
    const send = fetchWithCredentials(fetch, provider);
    status = 401;
    expect((await send(upstreamUrl, post())).status).toBe(401);
    const issued = tokensIssued();
    expect(seen).toEqual(issued.slice(-2)); // the first token, then a fresh one
    expect(new Set(seen).size).toBe(2);
    status = 200;
    expect((await send(upstreamUrl, post())).status).toBe(200);
    expect(tokensIssued()).toHaveLength(issued.length + 1); // the refused one was dropped too
    expect(seen.at(-1)).toBe(tokensIssued().at(-1));
  });

  it("do not resend a body that cannot be replayed, but drop the refused token", async () => {
    const provider = createCredentialProvider(clientCredentials(), env, viaLoopback);
    const send = fetchWithCredentials(fetch, provider);
    await send(upstreamUrl, post());
    const before = tokensIssued().length;
    status = 401;
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("{}"));
        controller.close();
      },
    });
    const response = await send(upstreamUrl, { ...post(stream), duplex: "half" } as RequestInit);
    expect(response.status).toBe(401);
    expect(seen).toHaveLength(2);
    status = 200;
    await send(upstreamUrl, post());
    expect(tokensIssued()).toHaveLength(before + 1);
  });

  it("exchange again with a fresh subject token when the server no longer honours the old one", async () => {
    const provider = createCredentialProvider(
      {
        ...clientCredentials(),
        type: "oauth_token_exchange",
        subject_token: { source: "gateway_client_credentials", scope: "gateway" },
      },
      env,
      viaLoopback,
    );
    const first = await provider.headers();
    const subject = as.issued.at(-2)!;
    expect(subject).toMatchObject({ grant: "client_credentials", scope: "gateway" });
    expect(as.issued.at(-1)).toMatchObject({ grant: TOKEN_EXCHANGE, subjectToken: subject.token });
    await as.revoke(subject.token);
    provider.refused(first); // the upstream refused the exchanged token
    const second = await provider.headers();
    expect(second.Authorization).not.toBe(first.Authorization);
    const [renewed, exchanged] = as.issued.slice(-2);
    expect(renewed).toMatchObject({ grant: "client_credentials", scope: "gateway" });
    expect(exchanged).toMatchObject({ grant: TOKEN_EXCHANGE, subjectToken: renewed!.token });
    expect(second.Authorization).toBe(`Bearer ${exchanged!.token}`);
  });
});

describe("buildTransport", () => {
  const server = (
    transport: CatalogServer["transport"],
    credentials: UpstreamCredentials,
  ): CatalogServer => ({
    name: "s",
    description: "",
    tags: [],
    transport,
    credentials,
    tools: {},
    tool_defaults: { risk: "write", tags: [] },
    source: "s.yaml",
  });

  it("puts the credentials' secrets on the redaction list", async () => {
    const http = buildTransport(
      server({ type: "http", url: upstreamUrl, headers: {} }, clientCredentials()),
      env,
      loopbackEgress(),
    );
    expect(http.secrets).toContain(BASIC_CLIENT.secret);
    await http.transport.close();
    const stdio = buildTransport(
      server(
        { type: "stdio", command: "node", args: [], env: {} },
        { type: "static", env: "K", value: "env:STATIC_KEY" },
      ),
      env,
    );
    expect(stdio.secrets).toContain(env.STATIC_KEY);
  });
});
