// Gets record bodies into the store with the promised durability, and decides what happens when
// the store is down. A synchronous store (SQLite) gets each event-loop turn's records in one
// transaction right after that turn, the callers waiting for it. An asynchronous
// one (PostgreSQL) gets allows in batches (at most `batchWindowMs` old, `batchMaxRecords` each) and
// denials at once, with the caller waiting; a long queue makes every caller wait (backpressure).
// Store down: `deny` fails the waiting call closed, `buffer` spools to local disk; records already
// answered (batched allows) are spooled in both modes, so nothing is dropped without a log line.
import type { Logger } from "../log.ts";
import type { StoreFailureMode } from "./config.ts";
import type { RecordBody } from "./record.ts";
import { Spool } from "./spool.ts";
import { isSyncStore, type AuditStore } from "./store.ts";

/** The record of a call could not be stored and the call must fail closed. */
export class AuditUnavailableError extends Error {
  override name = "AuditUnavailableError";
}

export interface WriterOptions {
  store: AuditStore;
  spool: Spool;
  onStoreFailure: StoreFailureMode;
  batchWindowMs: number;
  batchMaxRecords: number;
  retryMs: number;
  log: Logger;
}

interface Pending {
  body: RecordBody;
  deny: boolean;
  /** the caller waits for this entry (a denial, or backpressure) */
  awaited: boolean;
  resolve(): void;
  reject(e: Error): void;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class RecordWriter {
  private healthy = true;
  private queue: Pending[] = [];
  /** records of this event-loop turn, for a synchronous store (commitSoon) */
  private turnBatch: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private recovering: Promise<void> | undefined;
  private closed = false;
  /** bodies stored by spool replays since start (for logs and tests) */
  replayed = 0;

  constructor(private readonly options: WriterOptions) {
    if (options.spool.pending()) {
      // records left by an earlier outage go first
      this.healthy = false;
      this.startRetrying();
      void this.recover();
    }
  }

  /** Checks the store now (at startup), so an outage is known and logged before the first call. */
  async probe(): Promise<void> {
    if (!this.healthy) return;
    try {
      await this.options.store.query({ limit: 1 });
    } catch (e) {
      this.markDown(e);
    }
  }

  get available(): boolean {
    return this.healthy;
  }

  /** Stores `body`; a promise when the caller must wait (it rejects: fail the call closed). */
  submit(body: RecordBody, deny: boolean): void | Promise<void> {
    if (this.closed) {
      return Promise.reject(new AuditUnavailableError("the audit recorder is closed"));
    }
    if (!this.healthy) return this.fallback([body], deny);
    if (isSyncStore(this.options.store)) return this.commitSoon(body, deny);
    return this.enqueue(body, deny);
  }

  /**
   * Group commit for a synchronous store: the records submitted in one turn of the event loop
   * are written in one transaction right after it, and each caller waits for that write (so a
   * record is on disk before its response leaves, as with one transaction per record, for a
   * fraction of the cost under load).
   */
  private commitSoon(body: RecordBody, deny: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.turnBatch.push({ body, deny, awaited: true, resolve, reject });
      if (this.turnBatch.length === 1) setImmediate(() => this.commitTurn());
    });
  }

  private commitTurn(): void {
    const batch = this.turnBatch;
    this.turnBatch = [];
    const store = this.options.store;
    if (this.healthy && isSyncStore(store)) {
      try {
        store.appendSync(
          batch.map((p) => p.body),
          { durable: batch.some((p) => p.deny) },
        );
        for (const p of batch) p.resolve();
        return;
      } catch (e) {
        this.markDown(e);
      }
    }
    for (const p of batch) {
      const fallen = this.fallback([p.body], p.deny);
      if (fallen) fallen.then(p.resolve, p.reject);
      else p.resolve();
    }
  }

  private enqueue(body: RecordBody, deny: boolean): void | Promise<void> {
    const { batchMaxRecords, batchWindowMs } = this.options;
    const awaited = deny || this.queue.length >= batchMaxRecords * 4;
    let entry!: Pending;
    const done = new Promise<void>((resolve, reject) => {
      entry = { body, deny, awaited, resolve, reject };
    });
    this.queue.push(entry);
    if (deny || this.queue.length >= batchMaxRecords) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), batchWindowMs);
    if (awaited) return done;
    done.catch(() => undefined); // answered already; failures are spooled and logged in flush
  }

  /** Writes everything queued (one batch at a time, in order). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing
      .then(() => this.writeQueue())
      .catch((e: unknown) => {
        // writeQueue settles every entry itself; this keeps the chain of flushes going
        this.options.log.log("error", "audit writer failed", { error: message(e) });
      });
    return this.writing;
  }

  private async writeQueue(): Promise<void> {
    while (this.queue.length > 0) {
      if (!this.healthy) {
        this.failQueued(this.queue.splice(0));
        return;
      }
      const batch = this.queue.splice(0, this.options.batchMaxRecords);
      try {
        await this.options.store.append(
          batch.map((p) => p.body),
          { durable: batch.some((p) => p.deny) },
        );
        for (const p of batch) p.resolve();
      } catch (e) {
        this.markDown(e);
        this.failQueued([...batch, ...this.queue.splice(0)]);
        return;
      }
    }
  }

  /** Queued entries whose write failed: waiting callers follow the failure mode; the rest spool. */
  private failQueued(entries: Pending[]): void {
    const failCallers = this.options.onStoreFailure === "deny";
    const toSpool = entries.filter((p) => !(failCallers && p.awaited));
    for (const p of entries) {
      if (failCallers && p.awaited) p.reject(this.unavailable());
    }
    if (toSpool.length === 0) return;
    try {
      this.options.spool.append(
        toSpool.map((p) => p.body),
        toSpool.some((p) => p.deny),
      );
      for (const p of toSpool) p.resolve();
      this.options.log.log("warn", "audit records spooled to local disk", {
        records: toSpool.length,
        spool: this.options.spool.path,
      });
    } catch (e) {
      const error = new AuditUnavailableError(`audit records could not be spooled: ${message(e)}`);
      const lost = toSpool.filter((p) => !p.awaited).length;
      if (lost > 0) {
        this.options.log.log("error", "AUDIT RECORDS LOST: store and spool both failed", {
          records: lost,
          ids: toSpool.filter((p) => !p.awaited).map((p) => p.body.id),
          error: message(e),
        });
      }
      for (const p of toSpool) p.reject(error);
    }
  }

  /** The store failed for `bodies`: fail closed, or spool (and fail closed if that fails too). */
  private fallback(bodies: RecordBody[], deny: boolean): void | Promise<void> {
    if (this.options.onStoreFailure === "deny") return Promise.reject(this.unavailable());
    try {
      this.options.spool.append(bodies, deny);
    } catch (e) {
      this.options.log.log("error", "audit spool failed: failing the call closed", {
        spool: this.options.spool.path,
        error: message(e),
      });
      return Promise.reject(new AuditUnavailableError(`audit spool failed: ${message(e)}`));
    }
  }

  private unavailable(): AuditUnavailableError {
    return new AuditUnavailableError(
      `the audit store ${this.options.store.label} is unavailable (audit.onStoreFailure: deny)`,
    );
  }

  private markDown(e: unknown): void {
    if (!this.healthy) return;
    this.healthy = false;
    this.options.log.log("error", "AUDIT STORE UNAVAILABLE", {
      store: this.options.store.label,
      error: message(e),
      onStoreFailure: this.options.onStoreFailure,
      then:
        this.options.onStoreFailure === "deny"
          ? "calls fail closed until the store is back"
          : `records are spooled to ${this.options.spool.path} and replayed when the store is back`,
    });
    this.startRetrying();
  }

  private startRetrying(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setInterval(() => void this.recover(), this.options.retryMs);
    this.retryTimer.unref();
  }

  /** Replays the spool (if any) and probes the store; healthy again when both work. */
  recover(): Promise<void> {
    this.recovering ??= this.tryRecover().finally(() => {
      this.recovering = undefined;
    });
    return this.recovering;
  }

  private async tryRecover(): Promise<void> {
    const { store, spool, log, batchMaxRecords } = this.options;
    try {
      while (spool.pending()) {
        const { bodies, torn } = spool.takeForReplay();
        if (torn > 0) {
          log.log("error", "audit spool lines unreadable; kept aside", {
            lines: torn,
            file: `${spool.path}.rejected`,
          });
        }
        for (let i = 0; i < bodies.length; i += batchMaxRecords) {
          await store.append(bodies.slice(i, i + batchMaxRecords), { durable: true });
        }
        spool.finishReplay();
        this.replayed += bodies.length;
        if (bodies.length > 0) {
          log.log("info", "audit spool replayed into the store", { records: bodies.length });
        }
      }
      await store.query({ limit: 1 });
    } catch {
      return; // still down; the next retry tries again
    }
    if (spool.pending()) return; // spooled while the probe ran: replay first
    this.healthy = true;
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
    log.log("info", "audit store available again", { store: store.label });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.turnBatch.length > 0) this.commitTurn();
    await this.flush();
    if (!this.healthy) await this.recover();
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
    if (this.options.spool.pending()) {
      this.options.log.log("warn", "audit records remain in the spool; replayed at next start", {
        spool: this.options.spool.path,
        bytes: this.options.spool.bytes(),
      });
    }
  }
}
