// The token client and its cache against a real OpenID provider (oidc-provider in this process):
// client credentials (both client authentication methods, token URL or issuer discovery), RFC 8693
// token exchange, caching until shortly before expiry, single flight, and errors that name no
// secret. Misbehaving token endpoints are small loopback HTTP servers.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  OAuthClient,
  TokenCache,
  TokenRequestError,
  refreshMarginMs,
} from "../../../gateway/credentials/index.ts";
import {
  ACCESS_TOKEN_TYPE,
  BASIC_CLIENT,
  POST_CLIENT,
  TOKEN_EXCHANGE,
  startAuthorizationServer,
  type AuthorizationServer,
} from "./authorization-server.ts";
import { loopbackEgress } from "../../helpers/egress.ts";

const RESOURCE = "http://127.0.0.1:9/upstream/mcp";
const TTL_SECONDS = 300;
let as: AuthorizationServer;

beforeAll(async () => {
  as = await startAuthorizationServer({ resources: [RESOURCE], accessTokenTtl: TTL_SECONDS });
});
afterAll(async () => {
  await as?.close();
});

function basicClient(options: { cache?: TokenCache; viaIssuer?: boolean } = {}): OAuthClient {
  return new OAuthClient(
    {
      ...(options.viaIssuer ? { issuer: as.issuer } : { tokenUrl: as.tokenUrl }),
      clientId: BASIC_CLIENT.id,
      clientSecret: BASIC_CLIENT.secret,
      authMethod: "client_secret_basic",
    },
    { cache: options.cache, fetch: loopbackEgress().fetch },
  );
}

async function failure(promise: Promise<unknown>): Promise<TokenRequestError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(TokenRequestError);
    return e as TokenRequestError;
  }
  throw new Error("expected the token request to fail");
}

describe("client credentials", () => {
  it("gets a JWT for the resource with client_secret_basic", async () => {
    const token = await basicClient().clientCredentials({ resource: RESOURCE, scope: "mcp:tools" });
    const claims = decodeJwt(token);
    expect(claims.aud).toBe(RESOURCE);
    expect(claims.client_id).toBe(BASIC_CLIENT.id);
    expect(claims.scope).toBe("mcp:tools");
    expect(as.issued.at(-1)).toMatchObject({
      grant: "client_credentials",
      token,
      resource: RESOURCE,
    });
  });

  it("authenticates with client_secret_post and finds the token endpoint from the issuer", async () => {
    const client = new OAuthClient(
      {
        issuer: as.issuer,
        clientId: POST_CLIENT.id,
        clientSecret: POST_CLIENT.secret,
        authMethod: "client_secret_post",
      },
      { fetch: loopbackEgress().fetch },
    );
    expect(await client.tokenEndpointUrl()).toBe(as.tokenUrl);
    const token = await client.clientCredentials({ resource: RESOURCE });
    expect(decodeJwt(token).client_id).toBe(POST_CLIENT.id);
  });

  it("says why a wrong client secret fails, without the secret", async () => {
    const secret = "wrong-secret-do-not-print-4242";
    const client = new OAuthClient(
      {
        tokenUrl: as.tokenUrl,
        clientId: BASIC_CLIENT.id,
        clientSecret: secret,
        authMethod: "client_secret_basic",
      },
      { fetch: loopbackEgress().fetch },
    );
    const error = await failure(client.clientCredentials({ resource: RESOURCE }));
    expect(error.message).toMatch(
      new RegExp(
        `token request \\(client_credentials\\) to ${as.tokenUrl} failed: HTTP 401, invalid_client`,
      ),
    );
    expect(error.oauthError).toBe("invalid_client");
    expect(error.message).not.toContain(secret);
  });

  it("refuses an unknown resource with the server's error code", async () => {
    const error = await failure(
      basicClient().clientCredentials({ resource: "https://elsewhere.example/mcp" }),
    );
    expect(error.oauthError).toBe("invalid_target");
  });
});

describe("the token cache", () => {
  it("serves two calls with one token request, and fetches again near expiry", async () => {
    let now = Date.now();
    const client = basicClient({ cache: new TokenCache({ now: () => now }) });
    const before = as.tokenRequests;
    const first = await client.clientCredentials({ resource: RESOURCE });
    const second = await client.clientCredentials({ resource: RESOURCE });
    expect(second).toBe(first);
    expect(as.tokenRequests - before).toBe(1);

    const lifetimeMs = TTL_SECONDS * 1000;
    now += lifetimeMs - refreshMarginMs(lifetimeMs) - 1_000; // still inside the window
    expect(await client.clientCredentials({ resource: RESOURCE })).toBe(first);
    expect(as.tokenRequests - before).toBe(1);

    now += 2_000; // within the margin before expiry: refreshed
    const third = await client.clientCredentials({ resource: RESOURCE });
    expect(third).not.toBe(first);
    expect(as.tokenRequests - before).toBe(2);
  });

  it("shares one fetch among concurrent callers", async () => {
    const client = basicClient();
    const before = as.tokenRequests;
    const tokens = await Promise.all(
      Array.from({ length: 10 }, () => client.clientCredentials({ resource: RESOURCE })),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(as.tokenRequests - before).toBe(1);
  });

  it("keeps tokens for different targets apart, and forgets a refused token", async () => {
    const client = basicClient();
    const before = as.tokenRequests;
    const forResource = await client.clientCredentials({ resource: RESOURCE });
    const own = await client.clientCredentials({ scope: "gateway" });
    expect(own).not.toBe(forResource);
    expect(as.tokenRequests - before).toBe(2);
    client.forget(forResource);
    expect(await client.clientCredentials({ scope: "gateway" })).toBe(own);
    expect(await client.clientCredentials({ resource: RESOURCE })).not.toBe(forResource);
    expect(as.tokenRequests - before).toBe(3);
  });

  it("stays within its bound, dropping the least recently used token", async () => {
    const cache = new TokenCache({ maxEntries: 2 });
    const issue = (token: string) => async () => ({ accessToken: token, expiresIn: 60 });
    await cache.get("a", issue("ta"));
    await cache.get("b", issue("tb"));
    await cache.get("a", issue("unused")); // a is now the most recent
    await cache.get("c", issue("tc"));
    expect(cache.size).toBe(2);
    expect(await cache.get("a", issue("new-a"))).toBe("ta");
    expect(await cache.get("b", issue("new-b"))).toBe("new-b");
  });
});

describe("token exchange (RFC 8693)", () => {
  it("trades the gateway's own token for one for the upstream, cached per subject", async () => {
    const client = basicClient({ viaIssuer: true });
    const subject = await client.clientCredentials({ scope: "gateway" });
    const before = as.tokenRequests;
    const exchanged = await client.exchange(subject, { resource: RESOURCE });
    expect(await client.exchange(subject, { resource: RESOURCE })).toBe(exchanged);
    expect(as.tokenRequests - before).toBe(1);
    expect(as.issued.at(-1)).toMatchObject({
      grant: TOKEN_EXCHANGE,
      subjectToken: subject,
      resource: RESOURCE,
      token: exchanged,
    });
    const claims = decodeJwt(exchanged);
    expect(claims.aud).toBe(RESOURCE);
    expect(claims.act).toEqual({ sub: BASIC_CLIENT.id });

    // another subject token is another cache entry
    const otherSubject = await basicClient().clientCredentials({ scope: "gateway" });
    const other = await client.exchange(otherSubject, { resource: RESOURCE });
    expect(other).not.toBe(exchanged);
  });

  it("fails with invalid_grant for a subject token the server did not issue", async () => {
    const error = await failure(
      basicClient().exchange(
        "not-a-token-of-this-server",
        { resource: RESOURCE },
        ACCESS_TOKEN_TYPE,
      ),
    );
    expect(error.oauthError).toBe("invalid_grant");
  });
});

describe("misbehaving token endpoints", () => {
  let junk: Server;
  let url: string;
  let mode: "html" | "huge" | "slow" | "mac" | "redirect" = "html";
  beforeAll(async () => {
    junk = createServer((req, res) => {
      req.resume();
      if (mode === "html")
        res.writeHead(200, { "content-type": "text/html" }).end("<html>hi</html>");
      else if (mode === "huge") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(`{"access_token":"${"x".repeat(200_000)}","token_type":"Bearer"}`);
      } else if (mode === "mac")
        res
          .writeHead(200, { "content-type": "application/json" })
          .end('{"access_token":"t","token_type":"DPoP","expires_in":60}');
      else if (mode === "redirect")
        res.writeHead(307, { location: "http://127.0.0.1:9/steal" }).end();
      // slow: never answers
    });
    await new Promise<void>((resolve) => junk.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(junk.address() as AddressInfo).port}/token`;
  });
  afterAll(async () => {
    junk.closeAllConnections();
    await new Promise((resolve) => junk.close(resolve));
  });

  const client = (timeoutMs = 10_000) =>
    new OAuthClient(
      {
        tokenUrl: url,
        clientId: "c",
        clientSecret: "s3cr3t-value-xyz",
        authMethod: "client_secret_post",
      },
      { timeoutMs, fetch: loopbackEgress().fetch },
    );
  const cases = [
    ["html", /the answer is not a JSON object/],
    ["huge", /its answer is larger than 65536 bytes/],
    ["mac", /token_type is "DPoP", only Bearer tokens can be sent upstream/],
    ["redirect", /it answered with a redirect \(HTTP 307\), which is not followed/],
  ] as const;
  for (const [answer, expected] of cases)
    it(`explains a token endpoint that answers ${answer}`, async () => {
      mode = answer;
      const error = await failure(client().clientCredentials());
      expect(error.message).toMatch(expected);
      expect(error.message).not.toContain("s3cr3t-value-xyz");
    });

  it("gives up on a token endpoint that does not answer", async () => {
    mode = "slow";
    const error = await failure(client(300).clientCredentials());
    expect(error.message).toMatch(/no answer within 300 ms/);
  });
});
