// Bounded concurrency for one upstream: `maxInFlight` running, then up to `maxQueued` waiting,
// then an immediate refusal.
export class LimiterFullError extends Error {
  override name = "LimiterFullError";
}

export class ConcurrencyLimiter {
  private running = 0;
  private readonly waiting: Array<{ start: () => void; fail: (e: unknown) => void }> = [];

  constructor(
    readonly maxInFlight: number,
    readonly maxQueued: number,
  ) {}

  /** Resolves with a release function once a slot is free; rejects when the queue is full or
   * `signal` aborts while waiting. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.running < this.maxInFlight) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.maxQueued) {
      return Promise.reject(
        new LimiterFullError(
          `${this.running} requests in flight and ${this.waiting.length} queued (the limit)`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const entry = {
        start: () => {
          signal?.removeEventListener("abort", onAbort);
          this.running++;
          resolve(this.releaser());
        },
        fail: reject,
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(entry);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  /** Rejects everything still queued (the connection went away). */
  failQueued(error: unknown): void {
    for (const entry of this.waiting.splice(0)) entry.fail(error);
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.waiting.shift()?.start();
    };
  }
}
