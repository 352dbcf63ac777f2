// Ends what a credential opened once the credential is no longer good: a response stream (the GET
// SSE stream, a long call's SSE answer) outlives the request that authenticated it, so its
// credential is watched for as long as it is open. A JWT's streams end when the gateway stops
// accepting it: at `exp` plus the clock-skew leeway (auth.clockSkewSeconds, 0 for exactly `exp`);
// an API key's at its expiry, or when it is revoked or removed. Revocation is seen by re-reading the key store (a stat
// of api-keys.json, read again only when it changed) every `recheckMs` while API-key streams are
// open; a stream thus ends at most one interval after `gatehouse keys revoke`.
import type { Principal } from "../mcp/contracts.ts";
import type { ApiKeyStore } from "./api-keys.ts";

/** setTimeout's longest delay; a later expiry re-arms the timer when it fires */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface CredentialWatchOptions {
  /** the store API keys are checked against; none: API-key principals are not re-checked */
  apiKeys?: ApiKeyStore;
  recheckMs: number;
  /** how long after `exp` a JWT is still accepted (the clock-skew leeway) */
  jwtLeewayMs?: number;
  now?: () => number;
  /** a failure to read the key store (the watched streams are ended: fail closed) */
  onStoreError?: (error: unknown) => void;
}

interface Watched {
  keyId: string;
  end: (reason: string) => void;
}

export class CredentialWatch {
  private readonly now: () => number;
  private readonly byKey = new Set<Watched>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly options: CredentialWatchOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Calls `end` once, when the credential behind `principal` expires or is revoked (at once when it
   * already has). Returns the function that stops watching (call it when the stream closes).
   */
  watch(principal: Principal, end: (reason: string) => void): () => void {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    let watched: Watched | undefined;
    const stop = () => {
      done = true;
      clearTimeout(timer);
      if (watched) this.unwatchKey(watched);
    };
    const finish = (reason: string) => {
      if (done) return;
      stop();
      end(reason);
    };
    const expiresAt = this.expiresAt(principal);
    if (expiresAt !== null) {
      const arm = () => {
        const left = expiresAt - this.now();
        if (left <= 0) return finish("the credential expired");
        timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
        timer.unref();
      };
      arm();
    }
    const keyId = apiKeyId(principal);
    if (!done && keyId !== null && this.options.apiKeys) {
      watched = { keyId, end: finish };
      this.byKey.add(watched);
      this.sweeper ??= setInterval(() => this.sweep(), this.options.recheckMs).unref();
    }
    return stop;
  }

  /** Checks every watched API key now (the interval calls this). */
  sweep(): void {
    const store = this.options.apiKeys;
    if (!store || this.byKey.size === 0) return;
    const watched = [...this.byKey];
    let problems: Map<string, string>;
    try {
      problems = store.unusable(new Set(watched.map((w) => w.keyId)), this.now());
    } catch (e) {
      this.options.onStoreError?.(e);
      problems = new Map(watched.map((w) => [w.keyId, "the API key store cannot be read"]));
    }
    for (const w of watched) {
      const problem = problems.get(w.keyId);
      if (problem !== undefined) w.end(problem);
    }
  }

  /** Stops the interval (gateway shutdown); streams still open are no longer watched. */
  close(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.byKey.clear();
  }

  private unwatchKey(watched: Watched): void {
    this.byKey.delete(watched);
    if (this.byKey.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /** ms since the epoch, or null for a credential without an end (the development principal). */
  private expiresAt(principal: Principal): number | null {
    if (principal.auth === "jwt") {
      const exp = principal.claims?.exp;
      // a verified JWT always has exp (jwt.ts requires it); without one, end at once
      return typeof exp === "number" ? exp * 1000 + (this.options.jwtLeewayMs ?? 0) : 0;
    }
    const keyId = apiKeyId(principal);
    if (keyId !== null && this.options.apiKeys) {
      try {
        return this.options.apiKeys.expiresAt(keyId);
      } catch (e) {
        this.options.onStoreError?.(e);
        return 0;
      }
    }
    return null;
  }
}

function apiKeyId(principal: Principal): string | null {
  return principal.auth === "api_key" && typeof principal.clientId === "string"
    ? principal.clientId
    : null;
}
