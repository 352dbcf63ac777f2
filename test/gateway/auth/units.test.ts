// The pure parts of identity: reading the credential from headers, claim mapping, the config
// section's validation and defaults, and the challenge header's syntax.
import { describe, expect, it } from "vitest";
import { bearerChallenge, metadataUrlFor, resourceFor } from "../../../gateway/auth/challenge.ts";
import { resolveAuthConfig } from "../../../gateway/auth/config.ts";
import { readCredential } from "../../../gateway/auth/credentials.ts";
import { claimAt, principalFromClaims } from "../../../gateway/auth/principal.ts";
import { ConfigError, loadConfig } from "../../../gateway/config.ts";
import { principalKey, samePrincipal } from "../../../gateway/mcp/sessions.ts";

const KEY = `ghk_0123456789abcdef_${"a".repeat(43)}`;

describe("readCredential", () => {
  it("tells bearer JWTs, API keys, nothing and garbage apart", () => {
    expect(readCredential(undefined, undefined, 100)).toEqual({ kind: "none" });
    expect(readCredential("Bearer abc.def.ghi", undefined, 100)).toEqual({
      kind: "jwt",
      token: "abc.def.ghi",
    });
    expect(readCredential("bearer abc", undefined, 100)).toEqual({ kind: "jwt", token: "abc" });
    expect(readCredential(`Bearer ${KEY}`, undefined, 100)).toEqual({ kind: "api_key", key: KEY });
    expect(readCredential(undefined, KEY, 100)).toEqual({ kind: "api_key", key: KEY });
    for (const bad of [
      "Basic abc",
      "Bearer",
      "Bearer a b",
      "Bearer a\tb",
      "Token abc",
      "Bearer ghk_short",
    ])
      expect(readCredential(bad, undefined, 100).kind, bad).toBe("malformed");
    expect(readCredential(undefined, "ghk_nope", 100).kind).toBe("malformed");
    expect(readCredential(`Bearer ${"a".repeat(101)}`, undefined, 100)).toEqual({
      kind: "malformed",
      reason: "the bearer token exceeds 100 bytes",
    });
  });
});

describe("principalFromClaims", () => {
  const paths = resolveAuthConfig([]).claims;

  it("maps the default claims, scope strings and scp arrays", () => {
    expect(
      principalFromClaims(
        { iss: "https://idp", sub: "u1", scope: "a  b", azp: "app", tid: "t1", groups: ["g"] },
        paths,
      ),
    ).toEqual({
      sub: "u1",
      iss: "https://idp",
      clientId: "app",
      tenant: "t1",
      groups: ["g"],
      roles: [],
      scopes: ["a", "b"],
      claims: {
        iss: "https://idp",
        sub: "u1",
        scope: "a  b",
        azp: "app",
        tid: "t1",
        groups: ["g"],
      },
      auth: "jwt",
    });
    expect(principalFromClaims({ sub: "u", scp: ["x", 3, "y"] }, paths)).toMatchObject({
      scopes: ["x", "y"],
    });
  });

  it("follows configured paths: namespaced names, nested objects, first match wins", () => {
    const custom = resolveAuthConfig([
      {
        claims: {
          groups: "https://example.com/groups",
          roles: ["realm_access.roles", "roles"],
          subject: ["email", "sub"],
        },
      },
    ]).claims;
    const claims = {
      sub: "id-1",
      email: "a@example.com",
      "https://example.com/groups": ["eng"],
      realm_access: { roles: ["admin"] },
    };
    expect(principalFromClaims(claims, custom)).toMatchObject({
      sub: "a@example.com",
      groups: ["eng"],
      roles: ["admin"],
    });
    expect(claimAt({ a: { b: { c: 1 } } }, "a.b.c")).toBe(1);
    expect(claimAt({ a: "x" }, "a.length")).toBeUndefined();
  });

  it("refuses claims without a subject", () => {
    expect(principalFromClaims({ sub: "" }, paths)).toEqual({
      problem: "the token has no subject (sub)",
    });
  });
});

describe("the auth config section", () => {
  it("has safe defaults", () => {
    const { auth } = loadConfig({});
    expect(auth).toMatchObject({
      issuers: [],
      clockSkewSeconds: 30,
      maxTokenBytes: 8192,
      apiKeys: true,
      requiredScopes: [],
      methodScopes: {},
    });
    expect(auth.resource).toBeUndefined();
  });

  it("never accepts HS* or none, and names the field of a bad value", () => {
    const bad = (auth: unknown) => {
      try {
        loadConfig({ flags: { auth } as never });
      } catch (e) {
        if (e instanceof ConfigError) return e.message;
        throw e;
      }
      throw new Error("expected a ConfigError");
    };
    expect(bad({ issuers: [{ issuer: "https://idp", algorithms: ["HS256"] }] })).toMatch(
      /command line: auth\.issuers\[0\]\.algorithms\[0\]/,
    );
    expect(bad({ issuers: [{ issuer: "https://idp", algorithms: ["none"] }] })).toMatch(
      /algorithms/,
    );
    expect(bad({ issuers: [{ issuer: "ftp://idp" }] })).toMatch(/auth\.issuers\[0\]\.issuer/);
    expect(bad({ clockSkewSeconds: 3600 })).toMatch(/auth\.clockSkewSeconds/);
    expect(bad({ resourse: "https://gw" })).toMatch(/resourse/);
  });

  it("reads GATEHOUSE_AUTH_RESOURCE and GATEHOUSE_AUTH_ISSUERS", () => {
    const { auth } = loadConfig({
      env: {
        GATEHOUSE_AUTH_RESOURCE: "https://gw.example.com/mcp",
        GATEHOUSE_AUTH_ISSUERS: "https://a.example.com, https://b.example.com/realms/x",
      },
    });
    expect(auth.resource).toBe("https://gw.example.com/mcp");
    expect(auth.issuers.map((i) => i.issuer)).toEqual([
      "https://a.example.com",
      "https://b.example.com/realms/x",
    ]);
    expect(() => loadConfig({ env: { GATEHOUSE_AUTH_RESOURCE: "gw" } })).toThrow(
      /GATEHOUSE_AUTH_RESOURCE: /,
    );
  });

  it("merges layers, claim paths field by field, per-issuer overrides on top", () => {
    const auth = resolveAuthConfig([
      { claims: { groups: "grp" }, clockSkewSeconds: 5 },
      {
        claims: { roles: "rls" },
        issuers: [{ issuer: "https://idp", claims: { subject: "oid" } }],
      },
    ]);
    expect(auth.clockSkewSeconds).toBe(5);
    expect(auth.claims).toMatchObject({ groups: ["grp"], roles: ["rls"], subject: ["sub"] });
    expect(auth.issuers[0]!.claims).toMatchObject({
      groups: ["grp"],
      roles: ["rls"],
      subject: ["oid"],
    });
    expect(auth.issuers[0]!.algorithms).not.toContain("HS256");
  });
});

describe("challenges and resource URIs", () => {
  it("builds RFC 9728 metadata URLs and quoted challenge parameters", () => {
    expect(resourceFor("https://gw.example.com/mcp", { kind: "virtual", name: "eng team" })).toBe(
      "https://gw.example.com/mcp/eng%20team",
    );
    expect(metadataUrlFor("https://gw.example.com/mcp")).toBe(
      "https://gw.example.com/.well-known/oauth-protected-resource/mcp",
    );
    expect(metadataUrlFor("https://gw.example.com/")).toBe(
      "https://gw.example.com/.well-known/oauth-protected-resource",
    );
    expect(
      bearerChallenge({
        resourceMetadata: "https://m",
        error: "invalid_token",
        description: 'say "hi"',
        scope: ["a", "b"],
      }),
    ).toBe(
      'Bearer resource_metadata="https://m", error="invalid_token", error_description="say \\"hi\\"", scope="a b"',
    );
  });
});

describe("session binding identity", () => {
  it("is issuer + subject + auth kind (+ client): the same sub from another issuer is another principal", () => {
    const a = principalKey({ sub: "alice", iss: "https://idp-a", auth: "jwt" });
    expect(
      samePrincipal(
        a,
        principalKey({ sub: "alice", iss: "https://idp-a", auth: "jwt", groups: ["x"] }),
      ),
    ).toBe(true);
    expect(
      samePrincipal(a, principalKey({ sub: "alice", iss: "https://idp-b", auth: "jwt" })),
    ).toBe(false);
    expect(
      samePrincipal(a, principalKey({ sub: "alice", iss: "https://idp-a", auth: "api_key" })),
    ).toBe(false);
    expect(samePrincipal(a, principalKey({ sub: "alice", auth: "dev" }))).toBe(false);
  });
});
