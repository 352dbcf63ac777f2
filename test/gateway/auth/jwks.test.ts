// The JWKS cache against a real provider whose JWKS endpoint the test takes down or makes answer
// junk: cached keys keep working, an issuer with no keys gets 401 with a logged reason, refetches
// on unknown kids are rate limited, and discovery follows RFC 8414 / OpenID configuration.
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../../gateway/gateway.ts";
import { discoveryUrls, RemoteKeySet } from "../../../gateway/auth/key-set.ts";
import { silentLogger } from "../../../gateway/log.ts";
import { decodeProtectedHeader } from "jose";
import { resolveAuthConfig } from "../../../gateway/auth/config.ts";
import { startTestProvider, type TestProvider } from "../../fixtures/oidc/provider.ts";
import {
  bearer,
  challengeParams,
  initializeBody,
  nowSeconds,
  post,
  principalSeenBy,
  recordingLog,
  resourceOnFreePort,
  signWith,
  startAuthGateway,
} from "./helpers.ts";
import { loopbackEgress } from "../../helpers/egress.ts";

let provider: TestProvider;
const gateways: Gateway[] = [];
let resources: { port: number; resource: string }[];

beforeAll(async () => {
  resources = [await resourceOnFreePort(), await resourceOnFreePort(), await resourceOnFreePort()];
  provider = await startTestProvider({ resources: resources.map((r) => r.resource) });
});

afterAll(async () => {
  for (const gateway of gateways) await gateway.close();
  await provider?.close();
});

async function gatewayFor(
  index: number,
  auth: Parameters<typeof startAuthGateway>[1],
  log = recordingLog(),
) {
  const gateway = await startAuthGateway(
    resources[index]!.port,
    { issuers: [{ issuer: provider.issuer }], ...auth },
    {},
    log,
  );
  gateways.push(gateway);
  return { gateway, log, resource: resources[index]!.resource };
}

async function strangerToken(resource: string): Promise<string> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const key = { ...(await exportJWK(privateKey)), kid: `stranger-${Math.random()}`, alg: "ES256" };
  return signWith(key, { iss: provider.issuer, sub: "x", aud: resource, exp: nowSeconds() + 60 });
}

describe("JWKS failures", () => {
  it("keeps the cached keys when the JWKS endpoint is down or answers junk", async () => {
    const { gateway, log, resource } = await gatewayFor(0, { jwksCooldownSeconds: 0 });
    const token = await provider.clientCredentialsToken(resource);
    expect(await principalSeenBy(gateway.url, bearer(token))).toBe("for machine");
    for (const mode of ["down", "junk"] as const) {
      provider.jwksMode = mode;
      const fetches = provider.jwksFetches;
      // an unknown kid forces a refetch, which fails
      const unknown = await post(
        gateway.url,
        initializeBody,
        bearer(await strangerToken(resource)),
      );
      expect(unknown.status).toBe(401);
      expect(provider.jwksFetches).toBe(fetches + 1);
      expect(await principalSeenBy(gateway.url, bearer(token))).toBe("for machine");
    }
    provider.jwksMode = "normal";
    expect(log.lines.join("\n")).toMatch(
      /JWKS refresh failed; keeping the keys already held.*"keysHeld":true.*HTTP 503/,
    );
    expect(log.lines.join("\n")).toMatch(/not a JWK set|not JSON/);
  });

  it("answers 401 with a logged reason when no keys were ever fetched, and recovers", async () => {
    provider.jwksMode = "down";
    const { gateway, log, resource } = await gatewayFor(1, { jwksCooldownSeconds: 0 });
    const token = await provider.clientCredentialsToken(resource);
    const res = await post(gateway.url, initializeBody, bearer(token));
    expect(res.status).toBe(401);
    expect(challengeParams(res.headers["www-authenticate"]).error_description).toBe(
      "no signing key is available for the token's issuer",
    );
    expect(log.lines.join("\n")).toMatch(
      /credential refused.*no signing keys for issuer http:\/\/127\.0\.0\.1:\d+: .*jwks: HTTP 503/,
    );
    provider.jwksMode = "normal";
    expect(await principalSeenBy(gateway.url, bearer(token))).toBe("for machine");
  });

  it("refetches on unknown kids at most once per cooldown", async () => {
    const { gateway, resource } = await gatewayFor(2, { jwksCooldownSeconds: 3600 });
    const token = await provider.clientCredentialsToken(resource);
    const before = provider.jwksFetches;
    expect(await principalSeenBy(gateway.url, bearer(token))).toBe("for machine");
    expect(provider.jwksFetches).toBe(before + 1);
    for (let i = 0; i < 5; i++) {
      const res = await post(gateway.url, initializeBody, bearer(await strangerToken(resource)));
      expect(res.status).toBe(401);
    }
    expect(provider.jwksFetches).toBe(before + 1);
  });

  it("finds the JWKS through OpenID configuration when RFC 8414 metadata is absent", async () => {
    provider.oauthMetadata = false;
    try {
      const started = async (discovery: "auto" | "oauth") => {
        const log = recordingLog();
        const gateway = await startAuthGateway(
          (await resourceOnFreePort()).port,
          { issuers: [{ issuer: provider.issuer, discovery }], jwksCooldownSeconds: 0 },
          {},
          log,
        );
        gateways.push(gateway);
        const token = await signWith(provider.keys[0]!, {
          iss: provider.issuer,
          sub: "crafted",
          aud: gateway.url,
          exp: nowSeconds() + 60,
        });
        return { gateway, log, token };
      };
      const auto = await started("auto");
      expect(await principalSeenBy(auto.gateway.url, bearer(auto.token))).toBe("for crafted");
      const oauthOnly = await started("oauth");
      expect(
        (await post(oauthOnly.gateway.url, initializeBody, bearer(oauthOnly.token))).status,
      ).toBe(401);
      expect(oauthOnly.log.lines.join("\n")).toMatch(
        /discovery failed: .*oauth-authorization-server: HTTP 404/,
      );
    } finally {
      provider.oauthMetadata = true;
    }
  });
});

describe("the key cache's clock", () => {
  it("serves stale keys at once and refreshes them beside the request", async () => {
    let now = 0;
    const issuer = resolveAuthConfig([{ issuers: [{ issuer: provider.issuer }] }]).issuers[0]!;
    const keys = new RemoteKeySet(issuer, {
      cacheMs: 1000,
      cooldownMs: 0,
      log: silentLogger,
      now: () => now,
      egress: loopbackEgress(),
    });
    const token = await provider.clientCredentialsToken(resources[0]!.resource);
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const get = () =>
      keys.getKey(decodeProtectedHeader(token), { protected: header, payload, signature });
    await get();
    expect(keys.fetches).toBe(1);
    now += 500;
    await get();
    expect(keys.fetches).toBe(1);
    now += 1000; // stale
    provider.jwksMode = "down";
    try {
      await get(); // answered from the stale keys while the refresh fails beside it
      expect(keys.fetches).toBe(2);
      await get();
    } finally {
      provider.jwksMode = "normal";
    }
  });
});

describe("discovery URLs", () => {
  it("inserts the well-known part as RFC 8414 and OpenID Connect Discovery say", () => {
    const issuer = (url: string, discovery?: "oauth" | "openid") =>
      resolveAuthConfig([{ issuers: [{ issuer: url, discovery }] }]).issuers[0]!;
    expect(discoveryUrls(issuer("https://idp.example.com"))).toEqual([
      "https://idp.example.com/.well-known/oauth-authorization-server",
      "https://idp.example.com/.well-known/openid-configuration",
    ]);
    expect(discoveryUrls(issuer("https://idp.example.com/realms/eng/"))).toEqual([
      "https://idp.example.com/.well-known/oauth-authorization-server/realms/eng",
      "https://idp.example.com/realms/eng/.well-known/openid-configuration",
    ]);
    expect(discoveryUrls(issuer("https://idp.example.com/t", "openid"))).toEqual([
      "https://idp.example.com/t/.well-known/openid-configuration",
    ]);
  });
});
