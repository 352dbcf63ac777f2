// Removes records older than the configured age, as a prefix of the chain, and leaves a retention
// record saying what went (its `retention.last_hash` anchors the chain's new first record).
import type { Logger } from "../log.ts";
import { retentionBody } from "./record-builder.ts";
import type { AuditRecord } from "./record.ts";
import type { AuditStore } from "./store.ts";

export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: AuditStore,
    private readonly maxAgeMs: number,
    private readonly log: Logger,
  ) {}

  /** Runs now and then every `intervalMs` (the timer does not keep the process alive). */
  start(intervalMs: number): void {
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), intervalMs);
    this.timer.unref();
  }

  /** One pass; resolves to the retention record, or null when nothing was old enough. */
  runOnce(now = Date.now()): Promise<AuditRecord | null> {
    const pass = this.running.then(() => this.prune(now));
    this.running = pass.catch(() => undefined);
    return pass;
  }

  private async prune(now: number): Promise<AuditRecord | null> {
    const cutoff = new Date(now - this.maxAgeMs).toISOString();
    try {
      const record = await this.store.prune(cutoff, retentionBody);
      if (record?.retention) {
        this.log.log("info", "audit retention removed old records", {
          removed: record.retention.removed,
          cutoff,
          anchor: record.retention.last_hash,
        });
      }
      return record;
    } catch (e) {
      this.log.log("error", "audit retention failed", {
        store: this.store.label,
        error: e instanceof Error ? e.message : String(e),
      });
      return null;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
