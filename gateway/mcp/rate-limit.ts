// The policy's rate_limit obligation: a token bucket per key (principal and server), refilled
// continuously at `requests` per `per`.
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

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes one token; false when the bucket is empty. An unreadable `per` refuses (fail closed). */
  take(key: string, limit: RateLimit): boolean {
    const window = windowMs(limit.per);
    if (window === undefined) return false;
    const now = this.now();
    const ratePerMs = limit.requests / window;
    const bucket = this.buckets.get(key) ?? { tokens: limit.requests, at: now };
    bucket.tokens = Math.min(limit.requests, bucket.tokens + (now - bucket.at) * ratePerMs);
    bucket.at = now;
    this.buckets.delete(key); // re-insert: the map's order is least recently used first
    if (this.buckets.size >= MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value!);
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
