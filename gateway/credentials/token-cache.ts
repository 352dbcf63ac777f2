// Access tokens by key, kept until shortly before they expire. Concurrent callers asking for the
// same key while it is being fetched share that one fetch. Bounded: the least recently used entry
// goes first.
import type { IssuedToken } from "./token-client.ts";

export interface TokenCacheOptions {
  maxEntries?: number;
  /** milliseconds since the epoch; tests move it */
  now?: () => number;
  /** how long a token without expires_in is used (default 60 s) */
  defaultLifetimeMs?: number;
}

interface Entry {
  token: string;
  /** after this, the next caller fetches a new one */
  refreshAt: number;
}

/** Refresh this long before expiry: a tenth of the lifetime, at most a minute. */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(60_000, lifetimeMs / 10);
}

export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<string>>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly defaultLifetimeMs: number;

  constructor(options: TokenCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 1000;
    this.now = options.now ?? Date.now;
    this.defaultLifetimeMs = options.defaultLifetimeMs ?? 60_000;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached token for `key`, or the one `fetch` obtains (one fetch for concurrent callers). */
  get(key: string, fetch: () => Promise<IssuedToken>): Promise<string> {
    const entry = this.entries.get(key);
    if (entry && this.now() < entry.refreshAt) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      return Promise.resolve(entry.token);
    }
    const running = this.pending.get(key);
    if (running) return running;
    const started = this.now();
    const fetching = fetch()
      .then((issued) => {
        const lifetime =
          issued.expiresIn !== undefined ? issued.expiresIn * 1000 : this.defaultLifetimeMs;
        this.store(key, {
          token: issued.accessToken,
          refreshAt: started + lifetime - refreshMarginMs(lifetime),
        });
        return issued.accessToken;
      })
      .finally(() => this.pending.delete(key));
    this.pending.set(key, fetching);
    return fetching;
  }

  /** Forget `token` wherever it is cached (an upstream refused it); the next get fetches anew. */
  forget(token: string): void {
    for (const [key, entry] of this.entries) if (entry.token === token) this.entries.delete(key);
  }

  private store(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries)
      this.entries.delete(this.entries.keys().next().value!);
  }
}
