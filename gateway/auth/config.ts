// The `auth` section of the gateway config: trusted issuers, the gateway's resource URI, claim
// mapping, required scopes, token bounds and API keys. Schema and defaults live here; config.ts
// merges the layers (field by field) and calls resolveAuthConfig.
import { z } from "zod";

/** Asymmetric JWS algorithms only: `none` and HS* are never accepted, whatever the config says. */
export const ASYMMETRIC_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
] as const;

const claimPath = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const claimPathsLayer = z
  .strictObject({
    subject: claimPath,
    groups: claimPath,
    roles: claimPath,
    scopes: claimPath,
    clientId: claimPath,
    tenant: claimPath,
  })
  .partial();

const httpUrl = z.url({ protocol: /^https?$/ });

const issuerSchema = z.strictObject({
  /** compared exactly with the token's `iss` */
  issuer: httpUrl,
  /** where the metadata is: "auto" tries RFC 8414 then OpenID configuration */
  discovery: z.enum(["auto", "oauth", "openid"]).optional(),
  /** skips discovery */
  jwksUri: httpUrl.optional(),
  /** a subset of the asymmetric algorithms; default all of them */
  algorithms: z.array(z.enum(ASYMMETRIC_ALGORITHMS)).min(1).optional(),
  /** overrides of the gateway-wide claim paths for this issuer */
  claims: claimPathsLayer.optional(),
  /** require the JWT header typ "at+jwt" (RFC 9068), so ID tokens and other JWTs of the issuer
   * are not taken for access tokens; false for issuers that do not type their access tokens */
  requireAccessTokenType: z.boolean().optional(),
});

export const authLayer = z
  .strictObject({
    /** the gateway's resource URI (RFC 8707 / RFC 9728): the audience every token must carry;
     * default: the bound address, http://<host>:<port>/mcp */
    resource: httpUrl,
    issuers: z.array(issuerSchema),
    /** allowance for clock differences on exp/nbf/iat, in seconds */
    clockSkewSeconds: z.int().min(0).max(300),
    /** bearer tokens longer than this are refused before parsing */
    maxTokenBytes: z.int().min(256).max(65536),
    claims: claimPathsLayer,
    /** scopes every request needs (all of them) */
    requiredScopes: z.array(z.string().min(1)),
    /** extra scopes per MCP method, e.g. {"tools/call": ["mcp:tools"]} */
    methodScopes: z.record(z.string().min(1), z.array(z.string().min(1))),
    /** listed in the protected-resource metadata besides the required ones */
    scopesSupported: z.array(z.string().min(1)),
    /** accept API keys (Authorization: Bearer ghk_... or X-API-Key) */
    apiKeys: z.boolean(),
    /** how long fetched JWKS and metadata are used before a refresh, in seconds */
    jwksCacheSeconds: z.int().min(1).max(86_400),
    /** at most one JWKS refetch per issuer in this many seconds (unknown kid, failures) */
    jwksCooldownSeconds: z.int().min(0).max(3600),
    /** how often open streams opened with an API key check that the key is still valid
     * (revocation ends them), in seconds */
    apiKeyRecheckSeconds: z.number().min(0.1).max(60),
  })
  .partial();

export type AuthLayer = z.infer<typeof authLayer>;
export type ClaimPaths = Record<keyof z.infer<typeof claimPathsLayer>, string[]>;
export type Algorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

export interface TrustedIssuer {
  issuer: string;
  discovery: "auto" | "oauth" | "openid";
  jwksUri?: string;
  algorithms: Algorithm[];
  claims: ClaimPaths;
  requireAccessTokenType: boolean;
}

export interface AuthConfig {
  resource?: string;
  issuers: TrustedIssuer[];
  clockSkewSeconds: number;
  maxTokenBytes: number;
  claims: ClaimPaths;
  requiredScopes: string[];
  methodScopes: Record<string, string[]>;
  scopesSupported: string[];
  apiKeys: boolean;
  jwksCacheSeconds: number;
  jwksCooldownSeconds: number;
  apiKeyRecheckSeconds: number;
}

export const DEFAULT_CLAIM_PATHS: ClaimPaths = {
  subject: ["sub"],
  groups: ["groups"],
  roles: ["roles"],
  scopes: ["scope", "scp"],
  clientId: ["client_id", "azp", "cid"],
  tenant: ["tid", "tenant"],
};

function claimPaths(base: ClaimPaths, layer: z.infer<typeof claimPathsLayer> = {}): ClaimPaths {
  const out = { ...base };
  for (const [key, value] of Object.entries(layer)) {
    if (value !== undefined)
      out[key as keyof ClaimPaths] = typeof value === "string" ? [value] : value;
  }
  return out;
}

/** Layers merged over the defaults (later wins; `claims` field by field). */
export function resolveAuthConfig(layers: AuthLayer[]): AuthConfig {
  const merged: AuthLayer = {};
  let claims = DEFAULT_CLAIM_PATHS;
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined && key !== "claims") Object.assign(merged, { [key]: value });
    }
    claims = claimPaths(claims, layer.claims);
  }
  return {
    resource: merged.resource,
    issuers: (merged.issuers ?? []).map((entry) => ({
      issuer: entry.issuer,
      discovery: entry.discovery ?? "auto",
      jwksUri: entry.jwksUri,
      algorithms: entry.algorithms ?? [...ASYMMETRIC_ALGORITHMS],
      claims: claimPaths(claims, entry.claims),
      requireAccessTokenType: entry.requireAccessTokenType ?? true,
    })),
    clockSkewSeconds: merged.clockSkewSeconds ?? 30,
    maxTokenBytes: merged.maxTokenBytes ?? 8192,
    claims,
    requiredScopes: merged.requiredScopes ?? [],
    methodScopes: merged.methodScopes ?? {},
    scopesSupported: merged.scopesSupported ?? [],
    apiKeys: merged.apiKeys ?? true,
    jwksCacheSeconds: merged.jwksCacheSeconds ?? 600,
    jwksCooldownSeconds: merged.jwksCooldownSeconds ?? 30,
    apiKeyRecheckSeconds: merged.apiKeyRecheckSeconds ?? 1,
  };
}

/** GATEHOUSE_AUTH_RESOURCE (the resource URI) and GATEHOUSE_AUTH_ISSUERS (comma-separated issuer
 * URLs, discovery "auto"): enough to run behind a proxy without a config file. */
export function authEnvLayer(
  env: Record<string, string | undefined>,
  problems: string[],
): AuthLayer | undefined {
  const raw: Record<string, unknown> = {};
  if (env.GATEHOUSE_AUTH_RESOURCE !== undefined) raw.resource = env.GATEHOUSE_AUTH_RESOURCE;
  if (env.GATEHOUSE_AUTH_ISSUERS !== undefined) {
    raw.issuers = env.GATEHOUSE_AUTH_ISSUERS.split(",")
      .map((issuer) => issuer.trim())
      .filter((issuer) => issuer !== "")
      .map((issuer) => ({ issuer }));
  }
  if (Object.keys(raw).length === 0) return undefined;
  const parsed = authLayer.safeParse(raw);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const name =
      issue.path[0] === "resource" ? "GATEHOUSE_AUTH_RESOURCE" : "GATEHOUSE_AUTH_ISSUERS";
    problems.push(`${name}: ${issue.message}`);
  }
  return undefined;
}
