// The audit half of the CallObserver contract (gateway/observer.ts): one hash-chained record per
// request that had a policy decision, written when the request is answered. A denial's end()
// returns a promise that settles once its record is durable; the gateway waits for it.
// Checkpoints: the store signs one every `checkpointEvery` records as it appends; the recorder
// adds one every `checkpointIntervalMs` when records came in, one at start and one at close.
import { join } from "node:path";
import type { Logger } from "../log.ts";
import type {
  CallObserver,
  DecisionFacts,
  Outcome,
  RequestFacts,
  RequestObservation,
  UpstreamObservation,
} from "../observer.ts";
import { Redactor } from "../redaction.ts";
import { CheckpointSigner, type CheckpointReason } from "./checkpoint.ts";
import { parseDuration, type AuditConfig } from "./config.ts";
import { openAuditStore, storeLocation } from "./open.ts";
import {
  decisionBody,
  nowMs,
  parseTraceparent,
  type TraceIds,
  type UpstreamSeen,
} from "./record-builder.ts";
import { privateDataDir } from "./private-files.ts";
import { RetentionJob } from "./retention.ts";
import { loadSigningKey } from "./signing-key.ts";
import { Spool } from "./spool.ts";
import type { AuditStore } from "./store.ts";
import { RecordWriter } from "./writer.ts";

/**
 * Telemetry's hook: the gateway's own trace and span ids of a request (its server span). Without
 * it, records carry the ids of the client's traceparent header (trace id and the caller's span).
 */
export type TraceIdsFor = (facts: RequestFacts) => TraceIds | null;

export interface DecisionRecorderOptions {
  store: AuditStore;
  /** JSON Lines spool used when the store is down (audit.onStoreFailure: buffer) */
  spoolPath: string;
  audit: AuditConfig;
  log: Logger;
  traceIdsFor?: TraceIdsFor;
}

export class DecisionRecorder implements CallObserver {
  readonly writer: RecordWriter;
  private readonly redactor: Redactor;
  private readonly retention: RetentionJob | undefined;
  private readonly checkpointTimer: NodeJS.Timeout;
  private checkpointing: Promise<unknown> = Promise.resolve();
  private traceIdsFor: TraceIdsFor | undefined;

  constructor(private readonly options: DecisionRecorderOptions) {
    const { audit, store, log } = options;
    this.redactor = new Redactor(audit.secretPatterns);
    this.traceIdsFor = options.traceIdsFor;
    this.writer = new RecordWriter({
      store,
      spool: new Spool(options.spoolPath, audit.spoolMaxBytes),
      onStoreFailure: audit.onStoreFailure,
      batchWindowMs: audit.batchWindowMs,
      batchMaxRecords: audit.batchMaxRecords,
      retryMs: audit.retryMs,
      log,
    });
    const maxAge = audit.retention === null ? undefined : parseDuration(audit.retention);
    if (maxAge !== undefined) {
      this.retention = new RetentionJob(store, maxAge, log);
      this.retention.start(audit.retentionIntervalMs);
    }
    // off the calls' path: a timer signs the head when records came in since the last checkpoint
    this.checkpointTimer = setInterval(
      () => void this.checkpoint("time"),
      audit.checkpointIntervalMs,
    );
    this.checkpointTimer.unref();
  }

  /**
   * Signs the chain's head if records were appended since the last checkpoint (a store without a
   * signer does nothing). Failures are logged; the store's next append or the next tick retries.
   */
  checkpoint(reason: CheckpointReason): Promise<unknown> {
    const store = this.options.store;
    this.checkpointing = this.checkpointing.then(() =>
      store.checkpoint(reason).catch((e: unknown) => {
        if (!this.writer.available) return null; // the writer reports the outage
        this.options.log.log("warn", "audit checkpoint could not be signed", {
          store: store.label,
          reason,
          error: e instanceof Error ? e.message : String(e),
        });
        return null;
      }),
    );
    return this.checkpointing;
  }

  get store(): AuditStore {
    return this.options.store;
  }

  /** Lets telemetry supply its span ids after both observers exist. */
  useTraceIds(traceIdsFor: TraceIdsFor): void {
    this.traceIdsFor = traceIdsFor;
  }

  startRequest(facts: RequestFacts): RequestObservation {
    let decided: DecisionFacts | null = null;
    let upstream: UpstreamSeen | null = null;
    let ended = false;
    return {
      decided: (d) => {
        decided ??= d;
      },
      upstreamStarted: (u): UpstreamObservation => {
        const seen: UpstreamSeen = { facts: u, startedAt: nowMs(), outcome: null, endedAt: null };
        upstream = seen;
        return {
          propagationHeaders: () => ({}),
          end(outcome) {
            seen.outcome ??= outcome;
            seen.endedAt ??= nowMs();
          },
        };
      },
      end: (outcome) => {
        if (ended || decided === null) return;
        ended = true;
        return this.record(facts, decided, upstream, outcome);
      },
    };
  }

  private record(
    facts: RequestFacts,
    decided: DecisionFacts,
    upstream: UpstreamSeen | null,
    outcome: Outcome,
  ): void | Promise<void> {
    let body;
    try {
      const ids = this.traceIdsFor?.(facts) ?? parseTraceparent(facts.traceparent);
      body = decisionBody(this.redactor, facts, decided, upstream, outcome, ids, nowMs());
    } catch (e) {
      // a record we cannot build is a call we cannot account for: fail it closed
      this.options.log.log("error", "audit record could not be built", {
        decisionId: decided.decision.decisionId,
        error: e instanceof Error ? e.message : String(e),
      });
      return Promise.reject(e);
    }
    return this.writer.submit(body, !decided.decision.allow);
  }

  async close(): Promise<void> {
    clearInterval(this.checkpointTimer);
    await this.retention?.stop();
    await this.writer.close();
    // the last records signed, so a clean stop leaves no unsigned tail
    if (this.writer.available) await this.checkpoint("close");
    await this.checkpointing;
    await this.options.store.close();
  }
}

/** The recorder the config asks for, or null when auditing is off. */
export function createDecisionRecorder(
  config: { audit: AuditConfig; dataDir: string },
  log: Logger,
): DecisionRecorder | null {
  if (!config.audit.enabled) return null;
  // records, spool and key are readable by the gateway's user alone
  privateDataDir(config.dataDir);
  const key = loadSigningKey(config.audit.signingKey, config.dataDir);
  const signer = new CheckpointSigner(key, config.audit.checkpointEvery);
  const location = storeLocation(config.audit, config.dataDir);
  const store = openAuditStore(location, { schema: config.audit.schema, signer });
  log.log("info", "audit records go to", { store: store.label, signingKeyId: key.keyId });
  const recorder = new DecisionRecorder({
    store,
    spoolPath: join(config.dataDir, "audit-spool.jsonl"),
    audit: config.audit,
    log,
  });
  // records left unsigned by an earlier run (a crash, an older version) are signed now
  void recorder.writer
    .probe()
    .then(() => recorder.writer.available && recorder.checkpoint("start"));
  return recorder;
}
