// The parts that end what a credential opened, and the access-token checks, without HTTP:
// CredentialWatch's timers and key re-checks (fake timers, a real key store in a temp dir), and
// verifyJwt's typ and iat rules with a per-issuer relaxation for IdPs that do not type tokens.
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ApiKeyStore } from "../../../gateway/auth/api-keys.ts";
import { resolveAuthConfig } from "../../../gateway/auth/config.ts";
import { CredentialWatch } from "../../../gateway/auth/credential-watch.ts";
import { verifyJwt, type VerifyingIssuer } from "../../../gateway/auth/jwt.ts";
import type { Principal } from "../../../gateway/mcp/contracts.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";
import { nowSeconds, signWith } from "./helpers.ts";

const temp = useTempDir("gatehouse-credential-watch");

afterEach(() => {
  vi.useRealTimers();
});

const jwtPrincipal = (exp: number): Principal => ({
  sub: "alice",
  iss: "https://idp",
  auth: "jwt",
  claims: { exp },
});

describe("CredentialWatch", () => {
  it("ends a JWT principal's stream at exp plus the leeway, not before", () => {
    vi.useFakeTimers({ now: 1_000_000_000 });
    const watch = new CredentialWatch({ recheckMs: 1000, jwtLeewayMs: 5000 });
    const ended: string[] = [];
    watch.watch(jwtPrincipal(1_000_000 + 10), (reason) => ended.push(reason));
    vi.advanceTimersByTime(14_999);
    expect(ended).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ended).toEqual(["the credential expired"]);
    vi.advanceTimersByTime(60_000);
    expect(ended).toHaveLength(1);
  });

  it("ends at once a JWT already past its end, and one without exp (fail closed)", () => {
    const watch = new CredentialWatch({ recheckMs: 1000 });
    const ended: string[] = [];
    watch.watch(jwtPrincipal(nowSeconds() - 1), (r) => ended.push(r));
    watch.watch({ sub: "x", auth: "jwt", claims: {} }, (r) => ended.push(r));
    expect(ended).toHaveLength(2);
  });

  it("stops watching when the stream closed first", () => {
    vi.useFakeTimers({ now: 0 });
    const watch = new CredentialWatch({ recheckMs: 1000 });
    const ended: string[] = [];
    const stop = watch.watch(jwtPrincipal(10), (r) => ended.push(r));
    stop();
    vi.advanceTimersByTime(20_000);
    expect(ended).toEqual([]);
  });

  it("never ends the development principal's streams", () => {
    vi.useFakeTimers({ now: 0 });
    const watch = new CredentialWatch({ recheckMs: 10 });
    const ended: string[] = [];
    watch.watch({ sub: "dev", auth: "dev" }, (r) => ended.push(r));
    vi.advanceTimersByTime(100_000);
    expect(ended).toEqual([]);
  });

  it("ends an API key's stream on the first re-check after its revocation, and only that key's", () => {
    vi.useFakeTimers({ now: Date.now() });
    const store = new ApiKeyStore(temp.path);
    const revoked = store.create({ sub: "bot-a" });
    const kept = store.create({ sub: "bot-b" });
    const watch = new CredentialWatch({ apiKeys: store, recheckMs: 500 });
    const ended: string[] = [];
    const principal = (id: string, sub: string): Principal => ({
      sub,
      clientId: id,
      auth: "api_key",
    });
    watch.watch(principal(revoked.record.id, "bot-a"), (r) => ended.push(`a: ${r}`));
    watch.watch(principal(kept.record.id, "bot-b"), (r) => ended.push(`b: ${r}`));
    vi.advanceTimersByTime(1000);
    expect(ended).toEqual([]);
    store.revoke(revoked.record.id);
    vi.advanceTimersByTime(500);
    expect(ended).toEqual([`a: API key ${revoked.record.id} is revoked`]);
  });

  it("ends every API-key stream when the store cannot be read, and says so", () => {
    vi.useFakeTimers({ now: Date.now() });
    const store = new ApiKeyStore(temp.path);
    const { record } = store.create({ sub: "bot" });
    const errors: unknown[] = [];
    const watch = new CredentialWatch({
      apiKeys: store,
      recheckMs: 100,
      onStoreError: (e) => errors.push(e),
    });
    const ended: string[] = [];
    watch.watch({ sub: "bot", clientId: record.id, auth: "api_key" }, (r) => ended.push(r));
    temp.put("api-keys.json", "not json");
    vi.advanceTimersByTime(100);
    expect(ended).toEqual(["the API key store cannot be read"]);
    expect(String(errors[0])).toMatch(/api-keys\.json: not valid JSON/);
  });
});

describe("verifyJwt: access token type and issue time", () => {
  let key: JWK;
  let issuer: VerifyingIssuer;
  const check = (issuerOverride: Partial<VerifyingIssuer> = {}) => ({
    issuerFor: (iss: string) =>
      iss === "https://idp" ? { ...issuer, ...issuerOverride } : undefined,
    audiences: ["https://gw/mcp"],
    clockSkewSeconds: 30,
  });
  const claims = (more: Record<string, unknown> = {}) => ({
    iss: "https://idp",
    sub: "alice",
    aud: "https://gw/mcp",
    iat: nowSeconds(),
    exp: nowSeconds() + 60,
    ...more,
  });

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    key = { ...(await exportJWK(privateKey)), alg: "ES256", kid: "k1" };
    const verifying = { ...(await exportJWK(publicKey)), alg: "ES256", kid: "k1" };
    const jwks = createLocalJWKSet({ keys: [verifying] });
    issuer = { issuer: "https://idp", algorithms: ["ES256"], keys: { getKey: jwks } };
  });

  it("accepts at+jwt and application/at+jwt in any case; refuses JWT, none and others", async () => {
    for (const typ of ["at+jwt", "application/at+jwt", "AT+JWT"])
      expect((await verifyJwt(await signWith(key, claims(), { typ }), check())).ok).toBe(true);
    for (const typ of ["JWT", undefined, "jwt", "dpop+jwt", 7]) {
      const outcome = await verifyJwt(await signWith(key, claims(), { typ }), check());
      expect(outcome).toMatchObject({
        ok: false,
        description: "the token is not a JWT access token (header typ must be at+jwt)",
      });
    }
  });

  it("accepts untyped tokens from an issuer configured with requireAccessTokenType: false", async () => {
    const relaxed = check({ requireAccessTokenType: false });
    for (const typ of ["JWT", undefined])
      expect((await verifyJwt(await signWith(key, claims(), { typ }), relaxed)).ok).toBe(true);
  });

  it("refuses iat beyond the leeway, accepts it within", async () => {
    const ahead = await verifyJwt(await signWith(key, claims({ iat: nowSeconds() + 31 })), check());
    expect(ahead).toMatchObject({ ok: false, description: "the token is issued in the future" });
    const near = await verifyJwt(await signWith(key, claims({ iat: nowSeconds() + 20 })), check());
    expect(near.ok).toBe(true);
  });

  it("reads requireAccessTokenType from the config, true by default", () => {
    const config = resolveAuthConfig([
      {
        issuers: [
          { issuer: "https://a.example" },
          { issuer: "https://b.example", requireAccessTokenType: false },
        ],
      },
    ]);
    expect(config.issuers.map((i) => i.requireAccessTokenType)).toEqual([true, false]);
  });
});
