// The egress guard: the one way the gateway opens a connection that someone else named (an issuer's
// metadata and JWKS, a token endpoint, an HTTP upstream). Each request's URL is checked before
// anything is sent, and each new socket again with the address it dials (connect.ts).
import http from "node:http";
import https from "node:https";
import { GuardedHttpAgent, GuardedHttpsAgent, systemResolver, type Resolver } from "./connect.ts";
import { fetchOver, type Fetch } from "./fetch.ts";
import { EgressPolicy, STRICT_EGRESS, type EgressSettings } from "./policy.ts";
import { EgressRefusedError } from "./refusal.ts";

export interface EgressGuardOptions {
  /** host name to addresses (default: the system resolver); tests make names resolve where they need */
  resolve?: Resolver;
}

export class EgressGuard {
  readonly policy: EgressPolicy;
  /** fetch() through this guard; redirects are followed hop by hop, each checked */
  readonly fetch: Fetch;
  private readonly httpAgent: GuardedHttpAgent;
  private readonly httpsAgent: GuardedHttpsAgent;

  constructor(settings: EgressSettings, options: EgressGuardOptions = {}) {
    this.policy = new EgressPolicy(settings);
    const connector = { policy: this.policy, resolve: options.resolve ?? systemResolver };
    this.httpAgent = new GuardedHttpAgent(connector);
    this.httpsAgent = new GuardedHttpsAgent(connector);
    this.fetch = fetchOver((url, requestOptions) => this.request(url, requestOptions));
  }

  /** Throws EgressRefusedError when the URL itself is refused (scheme, literal address, name). */
  checkUrl(url: URL | string): void {
    const parsed = url instanceof URL ? url : new URL(url);
    const refusal = this.policy.checkUrl(parsed);
    if (refusal) throw new EgressRefusedError(parsed, refusal);
  }

  /** http(s).request over this guard's socket pools (sets `options.agent`); throws when refused. */
  request(url: URL, options: http.RequestOptions): http.ClientRequest {
    this.checkUrl(url);
    if (url.protocol === "https:") {
      options.agent = this.httpsAgent;
      return https.request(url, options);
    }
    options.agent = this.httpAgent;
    return http.request(url, options);
  }

  /** Closes the pooled sockets (the gateway's shutdown). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

let strict: EgressGuard | undefined;

/** The guard of code given none: no --dev, nothing allow-listed (https to public addresses only). */
export function defaultEgressGuard(): EgressGuard {
  strict ??= new EgressGuard(STRICT_EGRESS);
  return strict;
}
