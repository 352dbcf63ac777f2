// A decision record (the format of `gatehouse audit export`, documented in docs/audit.md) and its
// place in the hash chain: hash = sha256(prev_hash + "\n" + canonical JSON of the record's fields).
import { createHash } from "node:crypto";
import type { Obligations } from "../policy/index.ts";
import type { Outcome } from "../observer.ts";

/** prev_hash of the first record of a store */
export const GENESIS_HASH = "0".repeat(64);

export interface RecordPrincipal {
  sub: string;
  iss: string | null;
  auth: string;
  groups: string[];
}

export interface RecordUpstream {
  server: string;
  transport: string;
  method: string;
  target: string | null;
  outcome: Outcome | null;
  latency_ms: number | null;
}

/** What the retention job removed; `last_hash` anchors the chain's new first record. */
export interface RetentionFacts {
  cutoff: string;
  removed: number;
  first_seq: number;
  last_seq: number;
  last_hash: string;
}

/** The fields covered by the hash: everything but the store's sequence number and the hashes. */
export interface RecordBody {
  /** unique per record (also makes a replayed spool line idempotent) */
  id: string;
  kind: "decision" | "retention";
  /** when the request was answered (RFC 3339, UTC, milliseconds) */
  time: string;
  decision_id: string | null;
  trace_id: string | null;
  span_id: string | null;
  principal: RecordPrincipal | null;
  session_id: string | null;
  method: string | null;
  server: string | null;
  tool: string | null;
  /** tool arguments after redaction */
  arguments: Record<string, unknown> | null;
  /** the policy input after the same redaction (what `gatehouse policy diff` replays) */
  input: unknown;
  allow: boolean | null;
  reasons: string[];
  obligations: Obligations | null;
  revision: string | null;
  bundle_digest: string | null;
  eval_micros: number | null;
  /** request start to answer, milliseconds */
  latency_ms: number | null;
  outcome: Outcome | null;
  upstream: RecordUpstream | null;
  retention: RetentionFacts | null;
}

export interface AuditRecord extends RecordBody {
  /** position in the store (ascending in chain order; may have gaps) */
  seq: number;
  prev_hash: string;
  hash: string;
}

/** JSON with object keys sorted at every level and no whitespace; undefined fields dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    return text === undefined ? "null" : text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

const BODY_FIELDS: (keyof RecordBody)[] = [
  "id",
  "kind",
  "time",
  "decision_id",
  "trace_id",
  "span_id",
  "principal",
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
];

export function bodyOf(record: RecordBody): RecordBody {
  const body = {} as Record<string, unknown>;
  for (const field of BODY_FIELDS) body[field] = record[field];
  return body as unknown as RecordBody;
}

export function recordHash(body: RecordBody, prevHash: string): string {
  return createHash("sha256")
    .update(prevHash)
    .update("\n")
    .update(canonicalJson(bodyOf(body)))
    .digest("hex");
}

/** Chains `bodies` after `head` (the store's last hash) and numbers them from `nextSeq`. */
export function chain(bodies: RecordBody[], head: string, nextSeq: number): AuditRecord[] {
  let prev = head;
  return bodies.map((body, i) => {
    const hash = recordHash(body, prev);
    const record: AuditRecord = { ...bodyOf(body), seq: nextSeq + i, prev_hash: prev, hash };
    prev = hash;
    return record;
  });
}
