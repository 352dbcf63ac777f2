// Signing keys of one trusted issuer: discovery (RFC 8414 or OpenID configuration) finds the JWKS,
// which is cached. A token with an unknown kid triggers a refetch, at most one per cooldown. When
// the JWKS endpoint is down or answers junk, the keys already held keep working. Metadata and JWKS
// are fetched through the egress guard: an issuer cannot point the gateway at an internal address.
import {
  createLocalJWKSet,
  errors,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from "jose";
import { defaultEgressGuard, displayUrl, type EgressGuard } from "../egress/index.ts";
import type { Logger } from "../log.ts";
import type { TrustedIssuer } from "./config.ts";
import { fetchJson, metadataUrls } from "./fetch-json.ts";

export const MAX_JWKS_KEYS = 100;

export type GetKey = ReturnType<typeof createLocalJWKSet>;

/** Where verification finds the key for a token's header. */
export interface KeySource {
  getKey(header: JWSHeaderParameters, token: FlattenedJWSInput): ReturnType<GetKey>;
}

/** No key can be found for a token; `reason` is for the log, the client gets a generic line. */
export class NoKeyError extends Error {
  override name = "NoKeyError";
}

export interface RemoteKeySetOptions {
  cacheMs: number;
  cooldownMs: number;
  log: Logger;
  now?: () => number;
  /** default: the strict guard (https to public addresses only) */
  egress?: EgressGuard;
}

export class RemoteKeySet implements KeySource {
  private local: GetKey | undefined;
  private jwksUri: string | undefined;
  private fetchedAt = -Infinity;
  private lastAttempt = -Infinity;
  private lastFailure: string | undefined;
  private refreshing: Promise<boolean> | undefined;
  /** JWKS fetches attempted (figures for tests and logs) */
  fetches = 0;
  private readonly now: () => number;
  private readonly egress: EgressGuard;

  constructor(
    readonly issuer: TrustedIssuer,
    private readonly options: RemoteKeySetOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.egress = options.egress ?? defaultEgressGuard();
    this.jwksUri = issuer.jwksUri;
  }

  async getKey(header: JWSHeaderParameters, token: FlattenedJWSInput): ReturnType<GetKey> {
    if (!this.local) await this.refresh();
    // stale keys still serve this request; the refresh runs beside it (never rejects)
    else if (this.now() - this.fetchedAt > this.options.cacheMs) void this.refresh();
    if (!this.local) {
      throw new NoKeyError(
        `no signing keys for issuer ${this.issuer.issuer}: ${this.lastFailure ?? "not fetched yet"}`,
      );
    }
    try {
      return await this.local(header, token);
    } catch (e) {
      if (!(e instanceof errors.JWKSNoMatchingKey)) throw e;
      // a kid we have not seen: the issuer may have rotated its keys
      if (!(await this.refresh())) throw e;
      return this.local(header, token);
    }
  }

  /** Refetches unless one was attempted within the cooldown; true when new keys arrived. */
  private refresh(): Promise<boolean> {
    if (this.refreshing) return this.refreshing;
    if (this.now() - this.lastAttempt < this.options.cooldownMs) return Promise.resolve(false);
    this.lastAttempt = this.now();
    this.refreshing = this.fetchKeys()
      .then(
        (jwks) => {
          this.local = createLocalJWKSet(jwks);
          this.fetchedAt = this.now();
          this.lastFailure = undefined;
          return true;
        },
        (e: unknown) => {
          this.lastFailure = e instanceof Error ? e.message : String(e);
          this.options.log.log("warn", "JWKS refresh failed; keeping the keys already held", {
            issuer: this.issuer.issuer,
            keysHeld: this.local !== undefined,
            reason: this.lastFailure,
          });
          return false;
        },
      )
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private async fetchKeys(): Promise<JSONWebKeySet> {
    this.jwksUri ??= await discoverJwksUri(this.issuer, this.egress);
    this.fetches++;
    const body = await fetchJson(this.jwksUri, this.egress.fetch);
    const shown = displayUrl(this.jwksUri);
    const keys = (body as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys) || keys.some((k) => k === null || typeof k !== "object"))
      throw new Error(`${shown}: not a JWK set (no "keys" array of objects)`);
    if (keys.length > MAX_JWKS_KEYS) throw new Error(`${shown}: more than ${MAX_JWKS_KEYS} keys`);
    // private key material in a public JWKS is a misconfiguration; never hold it
    const publicKeys = keys.filter(
      (k: Record<string, unknown>) => k.d === undefined && k.k === undefined,
    );
    return { keys: publicKeys };
  }
}

/** The metadata URLs to try, in order (RFC 8414 §3.1 inserts the well-known part before the path). */
export function discoveryUrls(issuer: TrustedIssuer): string[] {
  const { oauth, openid } = metadataUrls(issuer.issuer);
  if (issuer.discovery === "oauth") return [oauth];
  if (issuer.discovery === "openid") return [openid];
  return [oauth, openid];
}

async function discoverJwksUri(issuer: TrustedIssuer, egress: EgressGuard): Promise<string> {
  const problems: string[] = [];
  for (const url of discoveryUrls(issuer)) {
    try {
      const metadata = (await fetchJson(url, egress.fetch)) as {
        issuer?: unknown;
        jwks_uri?: unknown;
      } | null;
      if (metadata?.issuer !== issuer.issuer) {
        problems.push(
          `${url}: its issuer ${JSON.stringify(metadata?.issuer)} is not ${issuer.issuer}`,
        );
        continue;
      }
      if (typeof metadata.jwks_uri !== "string" || !/^https?:\/\//.test(metadata.jwks_uri)) {
        problems.push(`${url}: no jwks_uri`);
        continue;
      }
      // the issuer names where its keys are: that URL passes the same rules before it is used
      egress.checkUrl(metadata.jwks_uri);
      return metadata.jwks_uri;
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
  }
  throw new Error(`discovery failed: ${problems.join("; ")}`);
}
