// Signed checkpoints of the hash chain: an Ed25519 signature over (seq, hash, time, key id,
// next_by) of one record. The hash chain makes a checkpoint cover every record up to it; the
// signature makes it impossible to forge without the key. `next_by` is a signed promise: the
// next checkpoint is at or before that sequence number, so a store whose records go past it
// without one was rewritten or lost its checkpoints (docs/audit.md).
import { sign, verify } from "node:crypto";
import { canonicalJson, type AuditRecord } from "./record.ts";
import type { SigningKey, TrustedKeys } from "./signing-key.ts";

/** why a checkpoint was signed */
export type CheckpointReason = "count" | "time" | "retention" | "start" | "close";
const REASONS: readonly CheckpointReason[] = ["count", "time", "retention", "start", "close"];

export interface Checkpoint {
  /** the record signed (its sequence number and hash) */
  seq: number;
  hash: string;
  /** when it was signed (RFC 3339, UTC) */
  time: string;
  key_id: string;
  /** the next checkpoint is signed at or before this sequence number */
  next_by: number;
  reason: CheckpointReason;
  /** Ed25519 signature of checkpointPayload(), base64url */
  signature: string;
}

export type UnsignedCheckpoint = Omit<Checkpoint, "signature">;

const PAYLOAD_TYPE = "gatehouse.audit.checkpoint.v1";

/** The bytes signed: canonical JSON of the checkpoint's fields and a type tag. */
export function checkpointPayload(c: UnsignedCheckpoint): Buffer {
  const { seq, hash, time, key_id, next_by, reason } = c;
  return Buffer.from(
    canonicalJson({ type: PAYLOAD_TYPE, seq, hash, time, key_id, next_by, reason }),
    "utf8",
  );
}

/** Signs checkpoints with the gateway's key; `every` is the record interval promised. */
export class CheckpointSigner {
  constructor(
    private readonly key: SigningKey,
    readonly every: number,
  ) {}

  get keyId(): string {
    return this.key.keyId;
  }

  sign(record: { seq: number; hash: string }, reason: CheckpointReason): Checkpoint {
    const unsigned: UnsignedCheckpoint = {
      seq: record.seq,
      hash: record.hash,
      time: new Date().toISOString(),
      key_id: this.key.keyId,
      next_by: record.seq + this.every,
      reason,
    };
    const signature = sign(null, checkpointPayload(unsigned), this.key.privateKey);
    return { ...unsigned, signature: signature.toString("base64url") };
  }
}

/** The last checkpoint of a store, as far as the next one is concerned. */
export interface CheckpointPromise {
  seq: number;
  next_by: number;
}

/**
 * The checkpoints due for records just chained (in seq order) after `last`: each record that
 * reaches the promised `next_by` is signed (a store without checkpoints signs its first new
 * record); `anchor` also signs the last record as a retention anchor.
 */
export function dueCheckpoints(
  records: readonly AuditRecord[],
  last: CheckpointPromise | null,
  signer: CheckpointSigner | undefined,
  anchor = false,
): Checkpoint[] {
  if (!signer || records.length === 0) return [];
  let due = last === null ? -Infinity : last.next_by;
  const out: Checkpoint[] = [];
  records.forEach((record, i) => {
    const isAnchor = anchor && i === records.length - 1;
    if (record.seq < due && !isAnchor) return;
    const checkpoint = signer.sign(record, isAnchor ? "retention" : "count");
    out.push(checkpoint);
    due = checkpoint.next_by;
  });
  return out;
}

export type SignatureCheck = "valid" | "unknown-key" | "bad-signature";

/** Whether `c` is signed by one of `keys` (and not altered since). */
export function checkSignature(c: Checkpoint, keys: TrustedKeys): SignatureCheck {
  const key = keys.get(c.key_id);
  if (!key) return "unknown-key";
  try {
    const ok = verify(null, checkpointPayload(c), key, Buffer.from(c.signature, "base64url"));
    return ok ? "valid" : "bad-signature";
  } catch {
    return "bad-signature";
  }
}

/** A checkpoint read from a witness file; throws naming the first bad field. */
export function parseCheckpoint(value: unknown, source: string): Checkpoint {
  const bad = (field: string, expected: string): never => {
    throw new Error(`${source}: ${field}: expected ${expected}`);
  };
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return bad("(top level)", "a JSON object as `gatehouse audit checkpoint` prints it");
  }
  const v = value as Record<string, unknown>;
  const int = (field: string) =>
    Number.isSafeInteger(v[field]) && (v[field] as number) >= 1
      ? (v[field] as number)
      : bad(field, "a positive integer");
  const text = (field: string, pattern: RegExp, expected: string) =>
    typeof v[field] === "string" && pattern.test(v[field]) ? v[field] : bad(field, expected);
  const reason = v.reason as CheckpointReason;
  if (!REASONS.includes(reason)) bad("reason", `one of ${REASONS.join(", ")}`);
  return {
    seq: int("seq"),
    hash: text("hash", /^[0-9a-f]{64}$/, "64 hex digits"),
    time: text("time", /^\d{4}-\d\d-\d\dT/, "an RFC 3339 time"),
    key_id: text("key_id", /^[0-9a-f]{16}$/, "16 hex digits"),
    next_by: int("next_by"),
    reason,
    signature: text("signature", /^[A-Za-z0-9_-]+$/, "a base64url signature"),
  };
}
