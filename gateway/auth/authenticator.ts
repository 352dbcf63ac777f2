// Turns a request's credential into the policy's principal, or into a refusal with the right
// WWW-Authenticate challenge. Order: malformed headers refused; API keys looked up; JWTs verified
// against the trusted issuers (plus the dev issuer on a --dev gateway, loopback only); no
// credential at all: the dev principal on a --dev gateway from loopback, else 401.
import type { Context } from "koa";
import type { GatewayConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Principal, SessionView } from "../mcp/contracts.ts";
import { ApiKeyStore } from "./api-keys.ts";
import {
  bearerChallenge,
  metadataUrlFor,
  resourceFor,
  type ChallengeParts,
  type PrincipalRefusal,
} from "./challenge.ts";
import type { ClaimPaths } from "./config.ts";
import { readCredential } from "./credentials.ts";
import { CredentialWatch } from "./credential-watch.ts";
import { devPrincipal, isLoopbackAddress } from "./dev.ts";
import { DEV_ALGORITHM, DEV_ISSUER, DevKeySource } from "./dev-token.ts";
import { verifyJwt, type VerifyingIssuer } from "./jwt.ts";
import { RemoteKeySet } from "./key-set.ts";
import { EgressGuard, egressSettings } from "../egress/index.ts";
import { principalFromClaims } from "./principal.ts";

export type PrincipalResolution = Principal | PrincipalRefusal | undefined;

/** How the request was authenticated, for telemetry's `auth` span (epoch ms). */
export interface AuthTiming {
  kind: "jwt" | "api_key";
  startedAt: number;
  endedAt: number;
}

export interface AuthenticatorOptions {
  config: Pick<GatewayConfig, "auth" | "dev" | "devGroups" | "dataDir" | "egress">;
  /** the resource URI when config.auth.resource is unset: the bound address (http://host:port/mcp) */
  defaultResource: () => string;
  /** whether /mcp/<name> names a virtual server (its metadata is served only then) */
  hasVirtualServer?: (name: string) => boolean;
  log: Logger;
  /** issuer metadata and JWKS are fetched through it (default: one built from the config) */
  egress?: EgressGuard;
}

interface Issuer extends VerifyingIssuer {
  claims: ClaimPaths;
}

const epochNow = () => performance.timeOrigin + performance.now();

export class Authenticator {
  private readonly issuers = new Map<string, Issuer>();
  private readonly devIssuer: Issuer | undefined;
  private readonly apiKeys: ApiKeyStore | undefined;
  /** ends the streams of credentials that expire or are revoked while they are open */
  readonly credentials: CredentialWatch;

  constructor(private readonly options: AuthenticatorOptions) {
    const { auth, dev, dataDir } = options.config;
    const egress = options.egress ?? new EgressGuard(egressSettings(options.config));
    for (const trusted of auth.issuers) {
      const keys = new RemoteKeySet(trusted, {
        cacheMs: auth.jwksCacheSeconds * 1000,
        cooldownMs: auth.jwksCooldownSeconds * 1000,
        log: options.log,
        egress,
      });
      this.issuers.set(trusted.issuer, { ...trusted, keys });
    }
    if (dev) {
      this.devIssuer = {
        issuer: DEV_ISSUER,
        algorithms: [DEV_ALGORITHM],
        keys: new DevKeySource(dataDir),
        claims: auth.claims,
        requireAccessTokenType: true,
      };
    }
    if (auth.apiKeys) this.apiKeys = new ApiKeyStore(dataDir);
    this.credentials = new CredentialWatch({
      apiKeys: this.apiKeys,
      recheckMs: auth.apiKeyRecheckSeconds * 1000,
      jwtLeewayMs: auth.clockSkewSeconds * 1000,
      onStoreError: (e) =>
        options.log.log(
          "error",
          "API key store unreadable; ending the streams opened with API keys",
          {
            error: e instanceof Error ? e.message : String(e),
          },
        ),
    });
  }

  /** The gateway's resource URI (the audience of /mcp). */
  resource(): string {
    return this.options.config.auth.resource ?? this.options.defaultResource();
  }

  /** RFC 9728 metadata for a path under /.well-known/oauth-protected-resource, or undefined. */
  protectedResourceMetadata(suffix: string): Record<string, unknown> | undefined {
    const view = this.viewOfMetadataPath(suffix);
    if (!view) return undefined;
    const { auth } = this.options.config;
    const scopes = new Set([
      ...auth.scopesSupported,
      ...auth.requiredScopes,
      ...Object.values(auth.methodScopes).flat(),
    ]);
    return {
      resource: resourceFor(this.resource(), view),
      // RFC 9728 makes it optional: an empty list would send OAuth clients nowhere
      ...(auth.issuers.length > 0 && {
        authorization_servers: auth.issuers.map((i) => i.issuer),
      }),
      scopes_supported: [...scopes],
      bearer_methods_supported: ["header"],
      resource_name: "Gatehouse MCP gateway",
    };
  }

  /** "" and the resource's own path mean /mcp; "<path>/<name>" means the virtual server. */
  private viewOfMetadataPath(suffix: string): SessionView | undefined {
    const path = suffix.replace(/\/$/, "");
    const own = new URL(this.resource()).pathname.replace(/\/$/, "");
    for (const base of new Set([own, "/mcp"])) {
      if (path === "" || path === base) return { kind: "all" };
      if (path.startsWith(`${base}/`)) {
        const rest = path.slice(base.length + 1);
        if (rest === "" || rest.includes("/")) return undefined;
        let name: string;
        try {
          name = decodeURIComponent(rest);
        } catch {
          return undefined;
        }
        return (this.options.hasVirtualServer?.(name) ?? true)
          ? { kind: "virtual", name }
          : undefined;
      }
    }
    return undefined;
  }

  private challenge(view: SessionView, parts: Omit<ChallengeParts, "resourceMetadata">): string {
    return bearerChallenge({
      resourceMetadata: metadataUrlFor(resourceFor(this.resource(), view)),
      ...parts,
    });
  }

  private unauthorized(view: SessionView, description: string | undefined): PrincipalRefusal {
    const { requiredScopes } = this.options.config.auth;
    return {
      refused: true,
      status: 401,
      wwwAuthenticate: this.challenge(
        view,
        description === undefined
          ? { scope: requiredScopes }
          : { error: "invalid_token", description, scope: requiredScopes },
      ),
      message:
        description === undefined
          ? "Unauthorized: send a bearer token (Authorization: Bearer <token>) or an API key; see the resource_metadata in WWW-Authenticate"
          : `Unauthorized: ${description}`,
    };
  }

  /** The caller's principal, or the refusal to answer. Sets ctx.state.auth when credentials came. */
  async authenticate(ctx: Context, view: SessionView): Promise<PrincipalResolution> {
    const startedAt = epochNow();
    const { auth, dev, devGroups } = this.options.config;
    const remote = ctx.req.socket.remoteAddress;
    const credential = readCredential(
      ctx.get("authorization") || undefined,
      ctx.get("x-api-key") || undefined,
      auth.maxTokenBytes,
    );
    const refuse = (description: string, reason = description) => {
      this.options.log.log("warn", "credential refused", { reason, remote, path: ctx.path });
      return this.unauthorized(view, description);
    };
    const accept = (principal: Principal, kind: AuthTiming["kind"]) => {
      ctx.state.auth = { kind, startedAt, endedAt: epochNow() } satisfies AuthTiming;
      // POST bodies are checked per method once parsed (scopeRefusal); GET and DELETE carry no
      // method, but still need the gateway-wide scopes
      if (ctx.method !== "POST") return this.scopeRefusal(principal, [], view) ?? principal;
      return principal;
    };

    switch (credential.kind) {
      case "none":
        // the quick start: no credentials at all, --dev, loopback
        if (dev && isLoopbackAddress(remote)) return devPrincipal(devGroups);
        return this.unauthorized(view, undefined);
      case "malformed":
        return refuse(credential.reason);
      case "api_key": {
        if (!this.apiKeys) return refuse("API keys are not accepted by this gateway");
        const found = this.apiKeys.lookup(credential.key);
        if (!found.ok) return refuse("the API key is not valid", found.reason);
        return accept(found.principal, "api_key");
      }
      case "jwt": {
        const loopback = isLoopbackAddress(remote);
        const outcome = await verifyJwt(credential.token, {
          issuerFor: (iss) =>
            iss === DEV_ISSUER ? (loopback ? this.devIssuer : undefined) : this.issuers.get(iss),
          audiences: [...new Set([this.resource(), resourceFor(this.resource(), view)])],
          clockSkewSeconds: auth.clockSkewSeconds,
        });
        if (!outcome.ok) return refuse(outcome.description, outcome.reason);
        const issuer = outcome.issuer as Issuer;
        const principal = principalFromClaims(
          outcome.claims as Record<string, unknown>,
          issuer.claims,
        );
        if ("problem" in principal) return refuse(principal.problem);
        return accept(principal, "jwt");
      }
    }
  }

  /** 403 insufficient_scope when the principal lacks a scope the request's methods need. */
  scopeRefusal(
    principal: Principal,
    methods: string[],
    view: SessionView,
  ): PrincipalRefusal | undefined {
    if (principal.auth === "dev") return undefined; // no credentials, nothing to scope
    const { requiredScopes, methodScopes } = this.options.config.auth;
    const needed = new Set(requiredScopes);
    for (const method of methods) for (const scope of methodScopes[method] ?? []) needed.add(scope);
    const held = new Set(principal.scopes ?? []);
    const missing = [...needed].filter((scope) => !held.has(scope));
    if (missing.length === 0) return undefined;
    return {
      refused: true,
      status: 403,
      wwwAuthenticate: this.challenge(view, {
        error: "insufficient_scope",
        description: `missing scope ${missing.join(" ")}`,
        scope: [...needed],
      }),
      message: `Forbidden: insufficient_scope: this request needs scope ${missing.join(" ")}`,
    };
  }
}
