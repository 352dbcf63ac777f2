// The HTTP layer's request rate: one token bucket per principal (issuer and subject), checked
// after authentication and before the body is read, so one caller's flood is refused cheaply and
// leaves the others' budgets alone.
import type { Principal } from "./contracts.ts";
import {
  InMemoryTokenBuckets,
  principalLimitKey,
  type BucketSpec,
  type TokenBucketStore,
} from "./rate-limit.ts";

export interface RequestRateLimits {
  /** sustained requests per second per principal */
  requestsPerSecond: number;
  /** requests a principal may send at once before the sustained rate applies */
  requestBurst: number;
}

export interface RateRefusal {
  /** whole seconds, for Retry-After (at least 1) */
  retryAfterSeconds: number;
  message: string;
  /** false for the refusals that follow the first of a flood within LOG_EVERY_MS (one log line
   * per principal and interval, so a flood cannot flood the log too) */
  log: boolean;
}

const LOG_EVERY_MS = 10_000;
const MAX_LOG_KEYS = 10_000;

export class PrincipalRequestRate {
  private readonly spec: BucketSpec;
  private readonly lastLogged = new Map<string, number>();

  constructor(
    private readonly limits: RequestRateLimits,
    private readonly store: TokenBucketStore = new InMemoryTokenBuckets(),
    private readonly now: () => number = Date.now,
  ) {
    this.spec = { capacity: limits.requestBurst, refillPerMs: limits.requestsPerSecond / 1000 };
  }

  /** Counts one request; a refusal when the principal is over its rate. */
  async check(principal: Principal): Promise<RateRefusal | undefined> {
    const key = principalLimitKey(principal);
    const taken = await this.store.take(`request\u0000${key}`, this.spec);
    if (taken.ok) return undefined;
    const retryAfterSeconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
    return {
      retryAfterSeconds,
      message: `Too Many Requests: more than ${this.limits.requestsPerSecond} requests per second (burst ${this.limits.requestBurst}) from this principal; retry after ${retryAfterSeconds} s`,
      log: this.firstInInterval(key),
    };
  }

  private firstInInterval(key: string): boolean {
    const now = this.now();
    const last = this.lastLogged.get(key);
    if (last !== undefined && now - last < LOG_EVERY_MS) return false;
    if (this.lastLogged.size >= MAX_LOG_KEYS) this.lastLogged.clear();
    this.lastLogged.set(key, now);
    return true;
  }
}
