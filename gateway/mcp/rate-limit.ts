// Token buckets, and the two limits built on them: the policy's rate_limit obligation (per
// principal and tool) and the HTTP layer's request rate (per principal). The buckets' state sits
// behind TokenBucketStore, so it can move out of the process (a shared store) without the limits
// changing.
import type { Principal } from "./contracts.ts";
import type { RateLimit } from "../policy/index.ts";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const WORD_UNITS: Record<string, string> = { second: "s", minute: "m", hour: "h", day: "d" };
/** bounds the memory a flood of distinct principals can take */
const MAX_BUCKETS = 100_000;

/** "30s", "1m", "2h", "1d", "500ms", "minute": the window in milliseconds, or undefined. */
export function windowMs(per: string): number | undefined {
  const word = WORD_UNITS[per.trim().toLowerCase()];
  const match = /^(\d+)?\s*(ms|s|m|h|d)$/.exec(word ?? per.trim());
  if (!match) return undefined;
  const count = match[1] === undefined ? 1 : Number(match[1]);
  return count > 0 ? count * UNIT_MS[match[2]!]! : undefined;
}

/** A bucket holding at most `capacity` tokens, refilled continuously at `refillPerMs`. */
export interface BucketSpec {
  capacity: number;
  refillPerMs: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

/** Where bucket levels live. In memory here; a shared store (Redis) implements the same call. */
export interface TokenBucketStore {
  /** Takes one token from `key`'s bucket; when it is empty, says how long until one is back. */
  take(key: string, spec: BucketSpec): TakeResult | Promise<TakeResult>;
}

interface Level {
  tokens: number;
  at: number;
}

export class InMemoryTokenBuckets implements TokenBucketStore {
  private readonly levels = new Map<string, Level>();

  constructor(private readonly now: () => number = Date.now) {}

  take(key: string, spec: BucketSpec): TakeResult {
    const now = this.now();
    const level = this.levels.get(key) ?? { tokens: spec.capacity, at: now };
    level.tokens = Math.min(spec.capacity, level.tokens + (now - level.at) * spec.refillPerMs);
    level.at = now;
    this.levels.delete(key); // re-insert: the map's order is least recently used first
    if (this.levels.size >= MAX_BUCKETS) this.levels.delete(this.levels.keys().next().value!);
    this.levels.set(key, level);
    if (level.tokens >= 1) {
      level.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil((1 - level.tokens) / spec.refillPerMs) };
  }
}

/** Who a limit counts against: the issuer (or how the principal was authenticated) and subject,
 * so a subject's tokens, keys and sessions share one budget, and equal subjects of two issuers do
 * not. */
function limitIdentity(principal: Principal): [string, string] {
  return [principal.iss ?? `gatehouse:${principal.auth}`, principal.sub];
}

export function principalLimitKey(principal: Principal): string {
  return JSON.stringify(limitIdentity(principal));
}

/** The policy's rate_limit obligation: `requests` per `per`, one bucket per key. */
export class RateLimiter {
  constructor(private readonly store: TokenBucketStore = new InMemoryTokenBuckets()) {}

  /** Takes one token; false when the bucket is empty. An unreadable `per` refuses (fail closed). */
  async take(key: string, limit: RateLimit): Promise<boolean> {
    const window = windowMs(limit.per);
    if (window === undefined) return false;
    const taken = await this.store.take(`obligation\u0000${key}`, {
      capacity: limit.requests,
      refillPerMs: limit.requests / window,
    });
    return taken.ok;
  }
}

/** The key of a rate_limit obligation: the caller (issuer and subject), the server and the tool. */
export function obligationKey(principal: Principal, server: string, tool: string): string {
  return JSON.stringify([...limitIdentity(principal), server, tool]);
}
