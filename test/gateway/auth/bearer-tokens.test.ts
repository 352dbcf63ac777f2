// Bearer JWTs from a real OpenID provider (oidc-provider on 127.0.0.1, in this process) through a
// real gateway over HTTP: accepted tokens become principals; every bad token is refused with 401
// and an RFC 6750/9728 challenge; scopes are enforced with 403 insufficient_scope.
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { createPublicKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Context } from "koa";
import { Authenticator } from "../../../gateway/auth/authenticator.ts";
import type { Gateway } from "../../../gateway/gateway.ts";
import { silentLogger } from "../../../gateway/log.ts";
import { CC_CLIENT, startTestProvider, type TestProvider } from "../../fixtures/oidc/provider.ts";
import { rawRequest } from "../server/helpers.ts";
import {
  bearer,
  callEchoBody,
  challengeParams,
  initializeBody,
  listToolsBody,
  nowSeconds,
  post,
  principalSeenBy,
  recordingLog,
  resourceOnFreePort,
  signWith,
  startAuthGateway,
} from "./helpers.ts";

let provider: TestProvider;
let gateway: Gateway;
let resource: string;
const log = recordingLog();
const OTHER_RESOURCE = "http://127.0.0.1:1/elsewhere";

beforeAll(async () => {
  const chosen = await resourceOnFreePort();
  resource = chosen.resource;
  provider = await startTestProvider({
    resources: [resource, `${resource}/eng`, OTHER_RESOURCE],
    userClaims: { alice: { groups: ["eng", "security"], tid: "acme" } },
  });
  gateway = await startAuthGateway(
    chosen.port,
    {
      issuers: [{ issuer: provider.issuer }],
      requiredScopes: ["mcp:tools"],
      methodScopes: { "tools/call": ["mcp:admin"] },
      clockSkewSeconds: 30,
      jwksCooldownSeconds: 0,
    },
    {},
    log,
  );
});

afterAll(async () => {
  await gateway?.close();
  await provider?.close();
});

/** The principal the gateway's Authenticator makes of a token (same config, no HTTP). */
async function gatewayPrincipal(token: string) {
  const authenticator = new Authenticator({
    config: gateway.config,
    defaultResource: () => gateway.url,
    log: silentLogger,
  });
  const ctx = {
    req: { socket: { remoteAddress: "127.0.0.1" } },
    path: "/mcp",
    state: {} as Record<string, unknown>,
    get: (name: string) => (name === "authorization" ? `Bearer ${token}` : ""),
  };
  const principal = await authenticator.authenticate(ctx as unknown as Context, { kind: "all" });
  // the timing record telemetry reads
  expect(ctx.state.auth).toMatchObject({ kind: "jwt" });
  return principal;
}

const metadataUrl = () => `${new URL(resource).origin}/.well-known/oauth-protected-resource/mcp`;

/** Sends initialize with the token and expects 401 invalid_token; returns the description. */
async function refused(token: string): Promise<string> {
  const res = await post(gateway.url, initializeBody, bearer(token));
  expect(res.status).toBe(401);
  const params = challengeParams(res.headers["www-authenticate"]);
  expect(params.resource_metadata).toBe(metadataUrl());
  expect(params.error).toBe("invalid_token");
  expect(res.json.error.message).toBe(`Unauthorized: ${params.error_description}`);
  return params.error_description!;
}

const validClaims = () => ({
  iss: provider.issuer,
  sub: "crafted",
  aud: resource,
  scope: "mcp:tools",
  iat: nowSeconds(),
  exp: nowSeconds() + 300,
});

describe("protected resource metadata (RFC 9728)", () => {
  it("serves the root and per-path documents", async () => {
    const origin = new URL(resource).origin;
    for (const path of ["", "/mcp"]) {
      const res = await rawRequest(`${origin}/.well-known/oauth-protected-resource${path}`, {
        method: "GET",
      });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        resource,
        authorization_servers: [provider.issuer],
        scopes_supported: ["mcp:tools", "mcp:admin"],
        bearer_methods_supported: ["header"],
        resource_name: "Gatehouse MCP gateway",
      });
    }
    const eng = await rawRequest(`${origin}/.well-known/oauth-protected-resource/mcp/eng`, {
      method: "GET",
    });
    expect(eng.json.resource).toBe(`${resource}/eng`);
    const unknown = await rawRequest(`${origin}/.well-known/oauth-protected-resource/mcp/nope`, {
      method: "GET",
    });
    expect(unknown.status).toBe(404);
    const deeper = await rawRequest(`${origin}/.well-known/oauth-protected-resource/mcp/a/b`, {
      method: "GET",
    });
    expect(deeper.status).toBe(404);
  });

  it("answers a request without credentials with 401 and the metadata URL", async () => {
    const res = await post(gateway.url, initializeBody);
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe(
      `Bearer resource_metadata="${metadataUrl()}", scope="mcp:tools"`,
    );
    const eng = await post(`${new URL(resource).origin}/mcp/eng`, initializeBody);
    expect(challengeParams(eng.headers["www-authenticate"]).resource_metadata).toBe(
      `${metadataUrl()}/eng`,
    );
  });
});

describe("tokens from the provider", () => {
  it("accepts a client-credentials token and maps it to the principal", async () => {
    const token = await provider.clientCredentialsToken(resource, "mcp:tools");
    expect(await principalSeenBy(gateway.url, bearer(token))).toBe(`for ${CC_CLIENT.client_id}`);
  });

  it("accepts a user's authorization-code token, with groups and tenant mapped", async () => {
    const token = await provider.authorizationCodeToken(resource, "alice");
    expect(await principalSeenBy(gateway.url, bearer(token))).toBe("for alice");
    const authenticator = gatewayPrincipal(token);
    expect(await authenticator).toMatchObject({
      sub: "alice",
      iss: provider.issuer,
      clientId: "agent",
      tenant: "acme",
      groups: ["eng", "security"],
      scopes: ["mcp:tools"],
      auth: "jwt",
      claims: { sub: "alice", aud: resource, client_id: "agent" },
    });
  });

  it("accepts a token for a virtual server's resource there only", async () => {
    const token = await provider.clientCredentialsToken(`${resource}/eng`, "mcp:tools");
    const eng = `${new URL(resource).origin}/mcp/eng`;
    expect(await principalSeenBy(eng, bearer(token))).toBe(`for ${CC_CLIENT.client_id}`);
    expect(await refused(token)).toBe("the token's audience is not this resource");
  });

  it("refuses a token issued for another resource (audience)", async () => {
    const token = await provider.clientCredentialsToken(OTHER_RESOURCE, "mcp:tools");
    expect(await refused(token)).toBe("the token's audience is not this resource");
  });

  it("follows a key rotation at the provider without a restart", async () => {
    const before = provider.jwksFetches;
    const key = await provider.rotate();
    const token = await provider.clientCredentialsToken(resource, "mcp:tools");
    expect(JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()).kid).toBe(key.kid);
    expect(await principalSeenBy(gateway.url, bearer(token))).toBe(`for ${CC_CLIENT.client_id}`);
    expect(provider.jwksFetches).toBeGreaterThan(before);
  });
});

describe("crafted bad tokens", () => {
  it("refuses a wrong issuer, even one signed with the provider's key", async () => {
    const token = await signWith(provider.keys[0]!, {
      ...validClaims(),
      iss: "http://127.0.0.1:9/evil",
    });
    expect(await refused(token)).toBe("the token's issuer is not trusted");
    const prefix = await signWith(provider.keys[0]!, {
      ...validClaims(),
      iss: `${provider.issuer}/`,
    });
    expect(await refused(prefix)).toBe("the token's issuer is not trusted");
  });

  it("accepts a crafted token signed with the provider's key (control)", async () => {
    const token = await signWith(provider.keys[0]!, validClaims());
    expect(await principalSeenBy(gateway.url, bearer(token))).toBe("for crafted");
  });

  it("refuses expired tokens beyond the clock skew, accepts within it", async () => {
    const late = await signWith(provider.keys[0]!, { ...validClaims(), exp: nowSeconds() - 120 });
    expect(await refused(late)).toBe("the token is expired");
    const withinSkew = await signWith(provider.keys[0]!, {
      ...validClaims(),
      exp: nowSeconds() - 10,
    });
    expect(await principalSeenBy(gateway.url, bearer(withinSkew))).toBe("for crafted");
  });

  it("refuses a token that is not valid yet, and one without exp", async () => {
    const early = await signWith(provider.keys[0]!, { ...validClaims(), nbf: nowSeconds() + 120 });
    expect(await refused(early)).toBe("the token is not valid yet");
    const { exp: _exp, ...noExp } = validClaims();
    expect(await refused(await signWith(provider.keys[0]!, noExp))).toMatch(/exp/);
  });

  it("refuses alg none, with or without a signature part", async () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const unsigned = `${enc({ alg: "none", typ: "JWT" })}.${enc(validClaims())}`;
    expect(await refused(`${unsigned}.`)).toBe("the token is not a signed JWT");
    expect(await refused(`${unsigned}.c2ln`)).toBe("the token's algorithm is not accepted");
  });

  it("refuses a tampered payload", async () => {
    const token = await provider.clientCredentialsToken(resource, "mcp:tools");
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: "admin" })).toString("base64url");
    expect(await refused(`${header}.${forged}.${signature}`)).toBe(
      "the token's signature is invalid",
    );
  });

  it("refuses a token signed by a key the issuer does not publish", async () => {
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    const stranger: JWK = { ...(await exportJWK(privateKey)), kid: "not-published", alg: "ES256" };
    expect(await refused(await signWith(stranger, validClaims()))).toBe(
      "the token's signing key is unknown",
    );
    // same kid as a real key, different key material
    const lookalike = { ...stranger, kid: provider.keys[0]!.kid };
    expect(await refused(await signWith(lookalike, validClaims()))).toBe(
      "the token's signature is invalid",
    );
  });

  it("refuses HS256 signed with the provider's public key as the HMAC secret", async () => {
    const { d: _d, ...publicJwk } = provider.keys[0]!;
    const pem = createPublicKey({
      key: publicJwk as import("node:crypto").JsonWebKey,
      format: "jwk",
    })
      .export({ type: "spki", format: "pem" })
      .toString();
    for (const secret of [pem, JSON.stringify(publicJwk)]) {
      const key: JWK = {
        kty: "oct",
        k: Buffer.from(secret).toString("base64url"),
        kid: publicJwk.kid,
      };
      const token = await signWith(key, validClaims(), { alg: "HS256" });
      expect(await refused(token)).toBe("the token's algorithm is not accepted");
    }
  });

  it("refuses garbage Authorization headers and huge tokens before parsing", async () => {
    for (const value of [
      "Basic dXNlcjpwYXNz",
      "Bearer",
      "Bearer  two  spaces",
      "Bearer a b",
      "Bearer ümlaut",
      "bearer",
    ]) {
      const res = await post(gateway.url, initializeBody, { authorization: value });
      expect(res.status, value).toBe(401);
      expect(challengeParams(res.headers["www-authenticate"]).error).toBe("invalid_token");
    }
    expect(await refused("x".repeat(10_000))).toBe("the bearer token exceeds 8192 bytes");
    expect(await refused("not.a.jwt")).toBe("the token is not a decodable JWT");
  });

  it("never serves a session to a request whose token went bad", async () => {
    const token = await provider.clientCredentialsToken(resource, "mcp:tools");
    const init = await post(gateway.url, initializeBody, bearer(token));
    const session = init.headers["mcp-session-id"] as string;
    const res = await post(gateway.url, listToolsBody, { "mcp-session-id": session });
    expect(res.status).toBe(401);
  });
});

describe("scopes", () => {
  it("answers 403 insufficient_scope naming the scope a method needs", async () => {
    const token = await provider.clientCredentialsToken(resource, "mcp:tools");
    const init = await post(gateway.url, initializeBody, bearer(token));
    const headers = {
      ...bearer(token),
      "mcp-session-id": init.headers["mcp-session-id"] as string,
    };
    const res = await post(gateway.url, callEchoBody, headers);
    expect(res.status).toBe(403);
    const params = challengeParams(res.headers["www-authenticate"]);
    expect(params.error).toBe("insufficient_scope");
    expect(params.scope).toBe("mcp:tools mcp:admin");
    expect(params.resource_metadata).toBe(metadataUrl());
    expect(res.json.error.message).toMatch(/insufficient_scope.*mcp:admin/);
    const admin = await provider.clientCredentialsToken(resource, "mcp:tools mcp:admin");
    const allowed = await post(gateway.url, callEchoBody, { ...headers, ...bearer(admin) });
    expect(allowed.status).toBe(200); // same principal (client machine), more scope
  });

  it("refuses a token without the gateway-wide scope on every method", async () => {
    const token = await provider.clientCredentialsToken(resource, "mcp:admin");
    const res = await post(gateway.url, initializeBody, bearer(token));
    expect(res.status).toBe(403);
    expect(challengeParams(res.headers["www-authenticate"]).scope).toBe("mcp:tools");
    // GET (the SSE stream) has no JSON-RPC method but needs the gateway-wide scope too
    const stream = await rawRequest(gateway.url, {
      method: "GET",
      headers: { ...bearer(token), accept: "text/event-stream" },
    });
    expect(stream.status).toBe(403);
    expect(challengeParams(stream.headers["www-authenticate"]).error).toBe("insufficient_scope");
  });
});
