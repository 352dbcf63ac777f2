// What the recorder, the retention job and the `audit` CLI need from a decision store, and the
// row mapping and query filter shared by the SQLite and PostgreSQL stores. A store given a
// checkpoint signer signs checkpoints in the transactions that append (docs/audit.md).
import type { Checkpoint, CheckpointReason } from "./checkpoint.ts";
import type { AuditRecord, RecordBody, RetentionFacts } from "./record.ts";

export interface AuditFilter {
  /** principal subject */
  principal?: string;
  /** upstream tool name (without the server prefix) */
  tool?: string;
  server?: string;
  decision?: "allow" | "deny";
  /** RFC 3339 times, inclusive */
  since?: string;
  until?: string;
  revision?: string;
  traceId?: string;
  kind?: "decision" | "retention";
  /** only records after this sequence number (paging in chain order) */
  afterSeq?: number;
  limit?: number;
  /** newest first (query) or chain order, oldest first (export) */
  order?: "newest" | "chain";
}

export interface AppendOptions {
  /** make the records durable against a machine crash before returning, not only a process crash */
  durable: boolean;
}

export interface AuditStore {
  /** where the records are, for messages (never credentials) */
  readonly label: string;
  /** Chains and stores `bodies` in order; bodies whose id is already stored are skipped. */
  append(bodies: RecordBody[], options: AppendOptions): Promise<AuditRecord[]>;
  query(filter: AuditFilter): Promise<AuditRecord[]>;
  /** every record in chain order, read in pages */
  scan(pageSize?: number): AsyncIterable<AuditRecord>;
  /** the record chained right after `hash`, if any */
  successorOf(hash: string): Promise<AuditRecord | null>;
  /**
   * Removes the chain's prefix of records older than `cutoff` (up to the first record at or after
   * it) and their checkpoints, and appends the retention record `describe` builds, signed as an
   * anchor when the store has a signer, in one transaction. Null: nothing old.
   */
  prune(
    cutoff: string,
    describe: (facts: RetentionFacts) => RecordBody,
  ): Promise<AuditRecord | null>;
  /** signed checkpoints in seq order */
  checkpoints(): Promise<Checkpoint[]>;
  /**
   * Signs the chain's head now if records were appended since the last checkpoint; null when
   * there is nothing new to sign or the store has no signer.
   */
  checkpoint(reason: CheckpointReason): Promise<Checkpoint | null>;
  close(): Promise<void>;
}

/** A store that writes synchronously (SQLite): the records exist when appendSync returns. */
export interface SyncAuditStore extends AuditStore {
  appendSync(bodies: RecordBody[], options: AppendOptions): AuditRecord[];
}

export function isSyncStore(store: AuditStore): store is SyncAuditStore {
  return typeof (store as Partial<SyncAuditStore>).appendSync === "function";
}

/** Column order of both SQL stores; JSON-valued fields are stored as canonical text. */
export const COLUMNS = [
  "seq",
  "id",
  "kind",
  "time",
  "decision_id",
  "trace_id",
  "span_id",
  "principal_sub",
  "principal_iss",
  "principal_auth",
  "principal_groups",
  "session_id",
  "method",
  "server",
  "tool",
  "arguments",
  "input",
  "allow",
  "reasons",
  "obligations",
  "revision",
  "bundle_digest",
  "eval_micros",
  "latency_ms",
  "outcome",
  "upstream",
  "retention",
  "prev_hash",
  "hash",
] as const;

type Row = Record<(typeof COLUMNS)[number], unknown>;

const json = (v: unknown): string | null =>
  v === null || v === undefined ? null : JSON.stringify(v);
const parsed = (v: unknown): any => (v === null || v === undefined ? null : JSON.parse(String(v)));
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Row values in COLUMNS order; `allow` as the store represents booleans. */
export function toRow(r: AuditRecord, bool: (b: boolean) => unknown): unknown[] {
  const row: Row = {
    seq: r.seq,
    id: r.id,
    kind: r.kind,
    time: r.time,
    decision_id: r.decision_id,
    trace_id: r.trace_id,
    span_id: r.span_id,
    principal_sub: r.principal?.sub ?? null,
    principal_iss: r.principal?.iss ?? null,
    principal_auth: r.principal?.auth ?? null,
    principal_groups: r.principal ? json(r.principal.groups) : null,
    session_id: r.session_id,
    method: r.method,
    server: r.server,
    tool: r.tool,
    arguments: json(r.arguments),
    input: json(r.input),
    allow: r.allow === null ? null : bool(r.allow),
    reasons: json(r.reasons),
    obligations: json(r.obligations),
    revision: r.revision,
    bundle_digest: r.bundle_digest,
    eval_micros: r.eval_micros,
    latency_ms: r.latency_ms,
    outcome: json(r.outcome),
    upstream: json(r.upstream),
    retention: json(r.retention),
    prev_hash: r.prev_hash,
    hash: r.hash,
  };
  return COLUMNS.map((c) => row[c]);
}

export function fromRow(row: Record<string, unknown>): AuditRecord {
  const sub = text(row.principal_sub);
  return {
    seq: Number(row.seq),
    id: String(row.id),
    kind: String(row.kind) as AuditRecord["kind"],
    time: String(row.time),
    decision_id: text(row.decision_id),
    trace_id: text(row.trace_id),
    span_id: text(row.span_id),
    principal:
      sub === null
        ? null
        : {
            sub,
            iss: text(row.principal_iss),
            auth: String(row.principal_auth),
            groups: parsed(row.principal_groups) ?? [],
          },
    session_id: text(row.session_id),
    method: text(row.method),
    server: text(row.server),
    tool: text(row.tool),
    arguments: parsed(row.arguments),
    input: parsed(row.input),
    allow: row.allow === null || row.allow === undefined ? null : Boolean(row.allow),
    reasons: parsed(row.reasons) ?? [],
    obligations: parsed(row.obligations),
    revision: text(row.revision),
    bundle_digest: text(row.bundle_digest),
    eval_micros: num(row.eval_micros),
    latency_ms: num(row.latency_ms),
    outcome: parsed(row.outcome),
    upstream: parsed(row.upstream),
    retention: parsed(row.retention),
    prev_hash: String(row.prev_hash),
    hash: String(row.hash),
  };
}

/** WHERE clause (or "") and ORDER/LIMIT for a filter; `param(value)` returns a placeholder. */
export function filterSql(
  filter: AuditFilter,
  param: (value: unknown) => string,
  bool: (b: boolean) => unknown,
): string {
  const where: string[] = [];
  if (filter.principal !== undefined) where.push(`principal_sub = ${param(filter.principal)}`);
  if (filter.tool !== undefined) where.push(`tool = ${param(filter.tool)}`);
  if (filter.server !== undefined) where.push(`server = ${param(filter.server)}`);
  if (filter.decision !== undefined)
    where.push(`allow = ${param(bool(filter.decision === "allow"))}`);
  if (filter.since !== undefined) where.push(`time >= ${param(filter.since)}`);
  if (filter.until !== undefined) where.push(`time <= ${param(filter.until)}`);
  if (filter.revision !== undefined) where.push(`revision = ${param(filter.revision)}`);
  if (filter.traceId !== undefined) where.push(`trace_id = ${param(filter.traceId)}`);
  if (filter.kind !== undefined) where.push(`kind = ${param(filter.kind)}`);
  if (filter.afterSeq !== undefined) where.push(`seq > ${param(filter.afterSeq)}`);
  const order = filter.order === "chain" ? "seq ASC" : "seq DESC";
  const limit = filter.limit !== undefined ? ` LIMIT ${param(filter.limit)}` : "";
  return `${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY ${order}${limit}`;
}

export const RECORD_DDL_COLUMNS = (types: {
  seq: string;
  int: string;
  real: string;
  bool: string;
}): string =>
  [
    `seq ${types.seq} PRIMARY KEY`,
    "id TEXT NOT NULL UNIQUE",
    "kind TEXT NOT NULL",
    "time TEXT NOT NULL",
    "decision_id TEXT",
    "trace_id TEXT",
    "span_id TEXT",
    "principal_sub TEXT",
    "principal_iss TEXT",
    "principal_auth TEXT",
    "principal_groups TEXT",
    "session_id TEXT",
    "method TEXT",
    "server TEXT",
    "tool TEXT",
    "arguments TEXT",
    "input TEXT",
    `allow ${types.bool}`,
    "reasons TEXT",
    "obligations TEXT",
    "revision TEXT",
    "bundle_digest TEXT",
    `eval_micros ${types.int}`,
    `latency_ms ${types.real}`,
    "outcome TEXT",
    "upstream TEXT",
    "retention TEXT",
    "prev_hash TEXT NOT NULL",
    "hash TEXT NOT NULL",
  ].join(", ");

export const RECORD_INDEXES = [
  "time",
  "principal_sub",
  "tool",
  "trace_id",
  "revision",
  "prev_hash",
];

/** Column order of the checkpoint tables of both SQL stores. */
export const CHECKPOINT_COLUMNS = [
  "seq",
  "hash",
  "time",
  "key_id",
  "next_by",
  "reason",
  "signature",
] as const;

export const CHECKPOINT_DDL_COLUMNS = (int: string): string =>
  [
    `seq ${int} PRIMARY KEY`,
    "hash TEXT NOT NULL",
    "time TEXT NOT NULL",
    "key_id TEXT NOT NULL",
    `next_by ${int} NOT NULL`,
    "reason TEXT NOT NULL",
    "signature TEXT NOT NULL",
  ].join(", ");

export function checkpointRow(c: Checkpoint): unknown[] {
  return CHECKPOINT_COLUMNS.map((column) => c[column]);
}

export function checkpointFromRow(row: Record<string, unknown>): Checkpoint {
  return {
    seq: Number(row.seq),
    hash: String(row.hash),
    time: String(row.time),
    key_id: String(row.key_id),
    next_by: Number(row.next_by),
    reason: String(row.reason) as CheckpointReason,
    signature: String(row.signature),
  };
}
