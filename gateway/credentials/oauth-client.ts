// The gateway's OAuth client at one authorization server: client-credentials tokens for itself and
// RFC 8693 token exchange, both cached until shortly before expiry.
import { createHash } from "node:crypto";
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from "../catalog/index.ts";
import { defaultEgressGuard } from "../egress/index.ts";
import type { Fetch } from "./bounded-fetch.ts";
import { discoverTokenEndpoint } from "./discovery.ts";
import { TokenCache } from "./token-cache.ts";
import {
  requestToken,
  TokenRequestError,
  type IssuedToken,
  type TokenEndpoint,
} from "./token-client.ts";

export interface OAuthClientConfig {
  /** the token endpoint, or undefined to discover it from `issuer` */
  tokenUrl?: string;
  issuer?: string;
  clientId: string;
  clientSecret: string;
  authMethod: TokenEndpoint["authMethod"];
}

export interface OAuthClientOptions {
  /** the egress guard's fetch (default: the strict guard: https to public addresses only) */
  fetch?: Fetch;
  /** per request to the authorization server (default 10 s) */
  timeoutMs?: number;
  /** tests pass one with their own clock */
  cache?: TokenCache;
}

/** What a token is requested for; absent fields are not sent. */
export interface TokenTarget {
  scope?: string;
  audience?: string;
  resource?: string;
}

export class OAuthClient {
  private endpointUrl?: Promise<string>;
  private readonly cache: TokenCache;
  private readonly fetch: Fetch;
  private readonly timeoutMs: number;

  constructor(
    private readonly config: OAuthClientConfig,
    options: OAuthClientOptions = {},
  ) {
    if ((config.tokenUrl === undefined) === (config.issuer === undefined))
      throw new TypeError("OAuthClient needs exactly one of tokenUrl and issuer");
    this.cache = options.cache ?? new TokenCache();
    this.fetch = options.fetch ?? defaultEgressGuard().fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** A token the gateway holds for itself (grant client_credentials). */
  clientCredentials(target: TokenTarget = {}): Promise<string> {
    const key = `client_credentials\n${targetKey(target)}`;
    return this.cache.get(key, () =>
      this.request({ grant_type: "client_credentials", ...targetParams(target) }),
    );
  }

  /**
   * RFC 8693: trades `subjectToken` for an access token for `target`, cached per subject token
   * and target. Any subject works: the gateway's own token today, a caller's token once the
   * inbound identity is plumbed through (docs/upstream-credentials.md).
   */
  exchange(
    subjectToken: string,
    target: TokenTarget,
    subjectTokenType: string = ACCESS_TOKEN_TYPE,
  ): Promise<string> {
    const subject = createHash("sha256").update(subjectToken).digest("base64url");
    const key = `token_exchange\n${subject}\n${subjectTokenType}\n${targetKey(target)}`;
    return this.cache.get(key, async () => {
      const issued = await this.request({
        grant_type: TOKEN_EXCHANGE_GRANT,
        subject_token: subjectToken,
        subject_token_type: subjectTokenType,
        requested_token_type: ACCESS_TOKEN_TYPE,
        ...targetParams(target),
      });
      if (issued.issuedTokenType !== ACCESS_TOKEN_TYPE)
        throw new TokenRequestError(
          `token exchange at ${await this.tokenEndpointUrl()} issued ${JSON.stringify(issued.issuedTokenType ?? "no issued_token_type")}, not an access token`,
        );
      return issued;
    });
  }

  /** An upstream refused `token`: drop it so the next call fetches a new one. */
  forget(token: string): void {
    this.cache.forget(token);
  }

  tokenEndpointUrl(): Promise<string> {
    const { tokenUrl, issuer } = this.config;
    if (tokenUrl !== undefined) return Promise.resolve(tokenUrl);
    this.endpointUrl ??= discoverTokenEndpoint(issuer!, {
      fetch: this.fetch,
      timeoutMs: this.timeoutMs,
    }).catch((e: unknown) => {
      this.endpointUrl = undefined; // try again next time
      throw e;
    });
    return this.endpointUrl;
  }

  private async request(grant: Record<string, string | undefined>): Promise<IssuedToken> {
    const endpoint: TokenEndpoint = {
      url: await this.tokenEndpointUrl(),
      clientId: this.config.clientId,
      clientSecret: this.config.clientSecret,
      authMethod: this.config.authMethod,
    };
    return requestToken(endpoint, grant, { fetch: this.fetch, timeoutMs: this.timeoutMs });
  }
}

function targetParams(target: TokenTarget): Record<string, string | undefined> {
  return { scope: target.scope, audience: target.audience, resource: target.resource };
}

function targetKey(target: TokenTarget): string {
  return [target.scope ?? "", target.audience ?? "", target.resource ?? ""].join("\n");
}
