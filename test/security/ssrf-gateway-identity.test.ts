// SSRF through the gateway's own fetches for identity: issuer discovery, the JWKS, and the token
// endpoint of upstream credentials. Whoever controls an issuer's metadata (or the config) names
// URLs the gateway then fetches, with the client secret in the token request. Each attack points
// one of them at an internal target; the egress guard must refuse it before anything is sent.
// The "public" identity provider is a server on 127.0.0.2 whose exact address and port are the
// only thing allow-listed; the internal target is a trap on 127.0.0.1 that must see nothing.
import {
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWSHeaderParameters,
} from "jose";
import type { LookupAddress } from "node:dns";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resolveAuthConfig } from "../../gateway/auth/config.ts";
import { NoKeyError, RemoteKeySet } from "../../gateway/auth/key-set.ts";
import { loadConfig } from "../../gateway/config.ts";
import { OAuthClient, TokenRequestError } from "../../gateway/credentials/index.ts";
import { EgressGuard, type Resolver } from "../../gateway/egress/index.ts";
import type { Gateway } from "../../gateway/gateway.ts";
import { nowSeconds, recordingLog, signWith } from "../gateway/auth/helpers.ts";
import { MCP_HEADERS, rawRequest, startStandInGateway } from "../gateway/server/helpers.ts";
import {
  json,
  LEGIT_HOST,
  spyRequests,
  startLegitServer,
  startTrap,
  twinListeners,
  type LegitServer,
  type Trap,
} from "./ssrf-targets.ts";
import { configProblems } from "../helpers/config-problems.ts";

const SECRET = "client-secret-that-must-never-leave-4711";

let trap: Trap;
let idp: LegitServer;
let signingKey: JWK;
let publicKey: JWK;
let requests: ReturnType<typeof spyRequests>;

beforeAll(async () => {
  trap = await startTrap();
  idp = await startLegitServer();
  const pair = await generateKeyPair("ES256", { extractable: true });
  signingKey = { ...(await exportJWK(pair.privateKey)), kid: "k1", alg: "ES256" };
  publicKey = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "ES256", use: "sig" };
});
afterAll(async () => {
  await trap?.close();
  await idp?.close();
});
beforeEach(() => {
  idp.routes.clear();
  idp.requests.length = 0;
  requests = spyRequests();
});
afterEach(() => requests.restore());

/** Production rules with only the identity provider's exact address and port allow-listed (it
 * stands in for a public https provider); `resolve` answers host names where a test needs. */
function guard(resolve?: Resolver): EgressGuard {
  return new EgressGuard(
    { dev: false, allow: [], allowHttp: [`${LEGIT_HOST}:${idp.port}`] },
    resolve ? { resolve } : {},
  );
}

/** The provider's metadata (OpenID and RFC 8414) naming `fields` (jwks_uri, token_endpoint). */
function publishMetadata(fields: Record<string, string>): void {
  const metadata = json({ issuer: idp.origin, ...fields });
  idp.routes.set("/.well-known/openid-configuration", metadata);
  idp.routes.set("/.well-known/oauth-authorization-server", metadata);
}

/** A key set for the provider (discovery unless `jwksUri`); returns its log too. */
function keySet(egress: EgressGuard, jwksUri?: string) {
  const log = recordingLog();
  const issuer = resolveAuthConfig([{ issuers: [{ issuer: idp.origin, jwksUri }] }]).issuers[0]!;
  const keys = new RemoteKeySet(issuer, { cacheMs: 60_000, cooldownMs: 0, log, egress });
  return { keys, log };
}

async function keyFor(keys: RemoteKeySet, kid = "k1"): Promise<unknown> {
  const token = await signWith({ ...signingKey, kid }, { iss: idp.origin, sub: "s" });
  const [header, payload, signature] = token.split(".") as [string, string, string];
  return keys.getKey(decodeProtectedHeader(token) as JWSHeaderParameters, {
    protected: header,
    payload,
    signature,
  });
}

/** getKey fails, and the reason logged is the guard's refusal. */
async function refusedKeys(set: ReturnType<typeof keySet>, rule: RegExp): Promise<string> {
  await expect(keyFor(set.keys)).rejects.toBeInstanceOf(NoKeyError);
  const text = set.log.lines.join("\n");
  expect(text).toMatch(/egress refused/);
  expect(text).toMatch(rule);
  return text;
}

function oauthClient(egress: EgressGuard, endpoint: { issuer: string } | { tokenUrl: string }) {
  return new OAuthClient(
    { ...endpoint, clientId: "gatehouse", clientSecret: SECRET, authMethod: "client_secret_post" },
    { fetch: egress.fetch },
  );
}

async function refusedToken(client: OAuthClient): Promise<string> {
  const error = await client.clientCredentials().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TokenRequestError);
  const message = (error as Error).message;
  expect(message).toMatch(/egress refused/);
  expect(message).not.toContain(SECRET);
  return message;
}

describe("SSRF through the JWKS and issuer discovery", () => {
  it("jwksUri http://169.254.169.254/jwks in the config: the gateway refuses to start", () => {
    const problems = configProblems(() =>
      loadConfig({
        flags: {
          auth: {
            issuers: [{ issuer: "https://idp.example", jwksUri: "http://169.254.169.254/jwks" }],
          },
        },
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^auth\.issuers\[0\]\.jwksUri: egress refused: http:\/\/169\.254\.169\.254\/jwks \(address 169\.254\.169\.254\): cloud metadata endpoint/,
      ),
    ]);
    expect(requests.hosts()).toEqual([]);
  });

  it("jwksUri at 169.254.169.254 reaching a key set: refused before any connection", async () => {
    await refusedKeys(keySet(guard(), "http://169.254.169.254/jwks"), /cloud metadata endpoint/);
    expect(requests.hosts()).not.toContain("169.254.169.254");
  });

  it("issuer discovery over plain http on a non-dev gateway: refused, the issuer never asked", async () => {
    const asked: string[] = [];
    const egress = new EgressGuard(
      { dev: false, allow: [], allowHttp: [] },
      { resolve: async (name) => (asked.push(name), [{ address: "127.0.0.1", family: 4 }]) },
    );
    const issuer = resolveAuthConfig([{ issuers: [{ issuer: `http://idp.test:${trap.port}` }] }])
      .issuers[0]!;
    const log = recordingLog();
    const keys = new RemoteKeySet(issuer, { cacheMs: 1, cooldownMs: 0, log, egress });
    await expect(keyFor(keys)).rejects.toBeInstanceOf(NoKeyError);
    expect(log.lines.join("\n")).toMatch(/plain http to a host that is not allow-listed/);
    expect(asked).toEqual([]);
    expect(trap.connections()).toBe(0);
  });

  it("discovered jwks_uri at the metadata address: refused, nothing requested from it", async () => {
    publishMetadata({
      jwks_uri: "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    });
    await refusedKeys(keySet(guard()), /cloud metadata endpoint/);
    expect(idp.requests.map((r) => r.line)).toContain(
      "GET /.well-known/oauth-authorization-server",
    );
    // the watch sees what does get requested: the provider's metadata, and nothing after it
    expect(requests.hosts()).toContain(LEGIT_HOST);
    expect(requests.hosts()).not.toContain("169.254.169.254");
  });

  it("discovered jwks_uri on an internal loopback service: refused, the service got no connection", async () => {
    publishMetadata({ jwks_uri: `http://127.0.0.1:${trap.port}/jwks` });
    await refusedKeys(keySet(guard()), /loopback address/);
    expect(trap.connections()).toBe(0);
  });

  it("discovered jwks_uri as IPv4-mapped IPv6 ([::ffff:127.0.0.1]): refused", async () => {
    publishMetadata({ jwks_uri: `http://[::ffff:127.0.0.1]:${trap.port}/jwks` });
    const text = await refusedKeys(keySet(guard()), /loopback address/);
    expect(text).toMatch(/::ffff:7f00:1, which reaches 127\.0\.0\.1/);
    expect(trap.connections()).toBe(0);
  });

  it("discovered jwks_uri as a decimal IP (http://2130706433/): refused", async () => {
    publishMetadata({ jwks_uri: `http://2130706433:${trap.port}/jwks` });
    await refusedKeys(keySet(guard()), /address 127\.0\.0\.1\): loopback/);
    expect(trap.connections()).toBe(0);
  });

  it("discovered jwks_uri as a hex short form (http://0x7f.1/): refused", async () => {
    publishMetadata({ jwks_uri: `http://0x7f.1:${trap.port}/jwks` });
    await refusedKeys(keySet(guard()), /address 127\.0\.0\.1\): loopback/);
    expect(trap.connections()).toBe(0);
  });

  it("discovered jwks_uri naming metadata.google.internal: refused without a DNS lookup", async () => {
    const asked: string[] = [];
    publishMetadata({ jwks_uri: "http://metadata.google.internal/computeMetadata/v1/" });
    const egress = guard(async (name) => (asked.push(name), [{ address: "127.0.0.1", family: 4 }]));
    await refusedKeys(keySet(egress), /names a cloud metadata endpoint/);
    expect(asked).toEqual([]);
    expect(trap.connections()).toBe(0);
  });

  it("discovered jwks_uri whose name resolves to an internal address: refused at connect time", async () => {
    const asked: string[] = [];
    publishMetadata({ jwks_uri: `http://internal.test:${trap.port}/jwks` });
    const egress = guard(async (name) => (asked.push(name), [{ address: "127.0.0.1", family: 4 }]));
    const text = await refusedKeys(keySet(egress), /address 127\.0\.0\.1\): loopback/);
    expect(text).toContain(`http://internal.test:${trap.port}/jwks`);
    expect(asked).toEqual(["internal.test"]);
    expect(trap.connections()).toBe(0);
  });

  it("DNS rebinding on the JWKS (first answer allowed, then internal): refused at connect time", async () => {
    const { legit, trap: internal } = await twinListeners();
    try {
      legit.routes.set("/jwks", json({ keys: [publicKey] }));
      const answers: LookupAddress[] = [
        { address: LEGIT_HOST, family: 4 },
        { address: "127.0.0.1", family: 4 },
      ];
      let lookups = 0;
      const egress = new EgressGuard(
        { dev: false, allow: [], allowHttp: [`${LEGIT_HOST}:${legit.port}`] },
        { resolve: async () => [answers[Math.min(lookups++, 1)]!] },
      );
      const set = keySet(egress, `http://idp.test:${legit.port}/jwks`);
      await expect(keyFor(set.keys)).resolves.toBeDefined();
      // an unknown kid makes the key set fetch again: a new connection, a new answer
      await expect(keyFor(set.keys, "rotated")).rejects.toThrow();
      expect(lookups).toBe(2);
      expect(legit.requests.map((r) => r.line)).toEqual(["GET /jwks"]);
      expect(set.log.lines.join("\n")).toMatch(
        /egress refused: .*address 127\.0\.0\.1\): loopback/,
      );
      expect(internal.connections()).toBe(0);
    } finally {
      await legit.close();
      await internal.close();
    }
  });

  it("a DNS answer mixing an allowed and an internal address is refused as a whole", async () => {
    publishMetadata({ jwks_uri: `http://idp.test:${idp.port}/jwks` });
    idp.routes.set("/jwks", json({ keys: [publicKey] }));
    const egress = guard(async () => [
      { address: LEGIT_HOST, family: 4 },
      { address: "127.0.0.1", family: 4 },
    ]);
    await refusedKeys(keySet(egress, `http://idp.test:${idp.port}/jwks`), /loopback address/);
    expect(idp.requests).toEqual([]);
  });

  it("through the gateway: a token whose issuer names an internal JWKS gets 401, nothing fetched from it", async () => {
    publishMetadata({ jwks_uri: `http://127.0.0.1:${trap.port}/jwks` });
    const log = recordingLog();
    let gateway: Gateway | undefined;
    try {
      gateway = await startStandInGateway(
        {
          dev: false,
          auth: { issuers: [{ issuer: idp.origin }] },
          egress: { allowHttp: [`${LEGIT_HOST}:${idp.port}`] },
        },
        { log },
      );
      const token = await signWith(signingKey, {
        iss: idp.origin,
        sub: "mallory",
        aud: gateway.url,
        exp: nowSeconds() + 60,
      });
      const response = await rawRequest(gateway.url, {
        headers: { ...MCP_HEADERS, authorization: `Bearer ${token}` },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
      });
      expect(response.status).toBe(401);
      expect(log.lines.join("\n")).toMatch(/egress refused: http:\/\/127\.0\.0\.1:\d+\/jwks/);
      expect(trap.connections()).toBe(0);
    } finally {
      await gateway?.close();
    }
  });
});

describe("SSRF through the token endpoint (the client secret goes there)", () => {
  it("a discovered token_endpoint on 10.0.0.5: refused, the client secret never sent", async () => {
    publishMetadata({ token_endpoint: "https://10.0.0.5/oauth/token" });
    const message = await refusedToken(oauthClient(guard(), { issuer: idp.origin }));
    expect(message).toMatch(
      /https:\/\/10\.0\.0\.5\/oauth\/token \(address 10\.0\.0\.5\): private address/,
    );
    expect(message).toMatch(/add "10\.0\.0\.5\/32" to egress\.allow/);
    expect(requests.hosts()).not.toContain("10.0.0.5");
    expect(idp.requests.every((r) => !r.body.includes(SECRET))).toBe(true);
  });

  it("a discovered token_endpoint on an internal loopback service: it never sees the secret", async () => {
    publishMetadata({ token_endpoint: `http://127.0.0.1:${trap.port}/token` });
    await refusedToken(oauthClient(guard(), { issuer: idp.origin }));
    expect(trap.connections()).toBe(0);
    expect(trap.received()).not.toContain(SECRET);
  });

  it("a discovered token_endpoint at the metadata address over IPv6 (fd00:ec2::254): refused", async () => {
    publishMetadata({ token_endpoint: "http://[fd00:ec2::254]/token" });
    const message = await refusedToken(oauthClient(guard(), { issuer: idp.origin }));
    expect(message).toMatch(/cloud metadata endpoint/);
    expect(requests.hosts()).not.toContain("[fd00:ec2::254]");
  });

  it("a token_url at 169.254.169.254 with the strict default rules: refused before any request", async () => {
    const client = new OAuthClient({
      tokenUrl: "http://169.254.169.254/token",
      clientId: "gatehouse",
      clientSecret: SECRET,
      authMethod: "client_secret_basic",
    });
    await refusedToken(client);
    expect(requests.hosts()).toEqual([]);
  });

  it("a token endpoint that redirects to an internal service: not followed, the secret not re-sent", async () => {
    idp.routes.set("/token", (_req, res) =>
      res.writeHead(307, { location: `http://127.0.0.1:${trap.port}/token` }).end(),
    );
    const error = await oauthClient(guard(), { tokenUrl: `${idp.origin}/token` })
      .clientCredentials()
      .catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(TokenRequestError);
    expect((error as Error).message).toMatch(/redirect \(HTTP 307\), which is not followed/);
    expect(trap.connections()).toBe(0);
  });
});
