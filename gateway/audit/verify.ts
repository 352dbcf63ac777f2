// Checks a store's hash chain and names the first broken record. Each record's hash must match
// its content, and its prev_hash must be the hash of the record before it. The chain's first
// record links either to the genesis hash or, after retention, to the `last_hash` a retention
// record in the chain carries (the records before it were removed on purpose).
// Records removed from the end leave no trace in the chain itself: compare `head_hash` with one
// noted earlier (see docs/audit.md).
import { GENESIS_HASH, recordHash, type AuditRecord } from "./record.ts";
import type { AuditStore } from "./store.ts";

export interface ChainBreak {
  seq: number;
  id: string;
  decision_id: string | null;
  problem: "edited" | "deleted" | "reordered";
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  records: number;
  first_seq: number | null;
  last_seq: number | null;
  /** hash of the last record: note it to detect a truncated end later */
  head_hash: string | null;
  /** how the first record is anchored */
  anchor: "genesis" | "retention" | null;
  broken: ChainBreak | null;
}

const where = (r: AuditRecord) =>
  `record seq ${r.seq}${r.decision_id ? ` (decision ${r.decision_id})` : ` (${r.kind} ${r.id})`}`;

export async function verifyChain(
  store: Pick<AuditStore, "scan" | "successorOf">,
): Promise<VerifyReport> {
  let first: AuditRecord | null = null;
  let prev: AuditRecord | null = null;
  let records = 0;
  let anchored = false;
  let broken: ChainBreak | null = null;
  for await (const r of store.scan()) {
    records++;
    first ??= r;
    if (first === r) anchored = r.prev_hash === GENESIS_HASH;
    if (!anchored && r.kind === "retention" && r.retention?.last_hash === first.prev_hash) {
      anchored = true;
    }
    if (broken === null) broken = await checkRecord(store, r, prev);
    prev = r;
  }
  if (first !== null && !anchored) {
    // a missing start outranks any later break: it is the first broken place in the chain
    broken = {
      seq: first.seq,
      id: first.id,
      decision_id: first.decision_id,
      problem: "deleted",
      message: `records before ${where(first)} were deleted: its prev_hash is neither the genesis hash nor the anchor of a retention record`,
    };
  }
  return {
    ok: broken === null,
    records,
    first_seq: first?.seq ?? null,
    last_seq: prev?.seq ?? null,
    head_hash: prev?.hash ?? null,
    anchor:
      first === null || !anchored
        ? null
        : first.prev_hash === GENESIS_HASH
          ? "genesis"
          : "retention",
    broken,
  };
}

async function checkRecord(
  store: Pick<AuditStore, "successorOf">,
  r: AuditRecord,
  prev: AuditRecord | null,
): Promise<ChainBreak | null> {
  const at = { seq: r.seq, id: r.id, decision_id: r.decision_id };
  if (recordHash(r, r.prev_hash) !== r.hash) {
    return {
      ...at,
      problem: "edited",
      message: `${where(r)} was edited: its content does not match its hash`,
    };
  }
  if (prev === null || r.prev_hash === prev.hash) return null;
  const successor = await store.successorOf(prev.hash);
  if (successor !== null && successor.seq !== r.seq) {
    return {
      ...at,
      problem: "reordered",
      message: `${where(r)} is out of order: the record chained after seq ${prev.seq} is at seq ${successor.seq}`,
    };
  }
  return {
    ...at,
    problem: "deleted",
    message: `records between seq ${prev.seq} and ${where(r)} were deleted: its prev_hash is not the hash of seq ${prev.seq}`,
  };
}
