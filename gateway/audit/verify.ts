// Checks a store's hash chain and its signed checkpoints, and names what is broken.
// The chain: each record's hash must match its content, and its prev_hash must be the hash of the
// record before it; the first record links to the genesis hash or, after retention, to the
// `last_hash` of a retention record in the chain. With trusted public keys, the checkpoints too:
// every one must be signed by a trusted key and name a record the store holds with that hash
// (records rewritten after an edit break this), the store must not end before the last one
// (truncation), each one's promise (`next_by`) must be kept, and a retention anchor must be
// signed (a forged one is not). A witness checkpoint kept elsewhere is checked the same way.
// What stays undetectable without a witness: records and checkpoints removed together from the
// end, back to an earlier state of the store (docs/audit.md).
import { checkSignature, type Checkpoint } from "./checkpoint.ts";
import { GENESIS_HASH, recordHash, type AuditRecord } from "./record.ts";
import type { TrustedKeys } from "./signing-key.ts";
import type { AuditStore } from "./store.ts";

export type ChainProblem =
  /** a record's content does not match its hash */
  | "edited"
  /** records are missing (a broken link, a start that links nowhere, a signed record gone) */
  | "deleted"
  | "reordered"
  /** a record no longer has the hash a signed checkpoint gave it: rewritten and rehashed */
  | "rewritten"
  /** the store ends before a signed checkpoint (or the witness) */
  | "truncated"
  /** the chain starts at a retention record that is not signed */
  | "forged-anchor"
  /** a checkpoint whose signature does not verify */
  | "bad-signature"
  /** a checkpoint signed by a key that is not trusted */
  | "unknown-key"
  /** records go past a checkpoint's promise without the next checkpoint */
  | "missing-checkpoint"
  /** records but no signed checkpoint at all */
  | "unsigned";

export interface ChainBreak {
  /** the record (or checkpoint) concerned; null when the problem is the whole store */
  seq: number | null;
  id: string | null;
  decision_id: string | null;
  problem: ChainProblem;
  message: string;
}

export interface SignatureReport {
  /** false: no trusted key was given, signatures were not checked */
  checked: boolean;
  /** the trusted keys */
  trusted_key_ids: string[];
  /** the keys that signed the valid checkpoints */
  key_ids: string[];
  /** checkpoints stored (those below the first record, removed by retention, included) */
  checkpoints: number;
  /** the newest checkpoint with a valid signature */
  last_signed_seq: number | null;
  last_signed_time: string | null;
  /** records after the last valid checkpoint: not covered by a signature yet */
  unsigned_tail: number;
}

export interface WitnessReport {
  seq: number;
  hash: string;
  key_id: string;
  /** the store holds that record with that hash and does not end before it */
  ok: boolean;
}

export interface VerifyReport {
  ok: boolean;
  records: number;
  first_seq: number | null;
  last_seq: number | null;
  /** hash of the last record */
  head_hash: string | null;
  /** how the first record is anchored */
  anchor: "genesis" | "retention" | null;
  /** the first problem (in chain order), or null */
  broken: ChainBreak | null;
  /** every problem found, at most MAX_PROBLEMS */
  problems: ChainBreak[];
  signatures: SignatureReport;
  witness: WitnessReport | null;
}

export interface VerifyOptions {
  /** public keys checkpoints must be signed with; absent: the hash chain alone is checked */
  keys?: TrustedKeys;
  /** a checkpoint kept elsewhere (needs `keys`) */
  witness?: Checkpoint;
}

const MAX_PROBLEMS = 20;

const where = (r: AuditRecord) =>
  `record seq ${r.seq}${r.decision_id ? ` (decision ${r.decision_id})` : ` (${r.kind} ${r.id})`}`;

const at = (r: AuditRecord) => ({ seq: r.seq, id: r.id, decision_id: r.decision_id });
const atSeq = (seq: number | null) => ({ seq, id: null, decision_id: null });

export async function verifyChain(
  store: Pick<AuditStore, "scan" | "successorOf" | "checkpoints">,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const { keys, witness } = options;
  const problems: ChainBreak[] = [];
  const report = (p: ChainBreak) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };

  // checkpoints first: only validly signed ones vouch for records
  const stored = keys ? await store.checkpoints() : [];
  const signed = new Map<number, Checkpoint>();
  for (const c of stored) {
    const check = checkSignature(c, keys!);
    if (check === "valid") signed.set(c.seq, c);
    else report(signatureProblem(c, check, keys!));
  }
  const witnessSigned =
    witness !== undefined && keys !== undefined && checkSignature(witness, keys);
  if (witness && keys && witnessSigned !== "valid") {
    report(
      signatureProblem(witness, witnessSigned as "unknown-key" | "bad-signature", keys, "witness"),
    );
  }

  let first: AuditRecord | null = null;
  let prev: AuditRecord | null = null;
  let records = 0;
  let anchored = false;
  /** retention records whose last_hash anchors the first record */
  const anchors: AuditRecord[] = [];
  let chainBreak: ChainBreak | null = null;
  const seen = new Set<number>();
  /** null: the witness's record was not met in the scan; else whether its hash matched */
  let witnessMatched: boolean | null = null;
  for await (const r of store.scan()) {
    records++;
    first ??= r;
    if (first === r) anchored = r.prev_hash === GENESIS_HASH;
    if (r.kind === "retention" && r.retention?.last_hash === first.prev_hash) {
      anchored = true;
      anchors.push(r);
    }
    if (chainBreak === null) chainBreak = await checkRecord(store, r, prev);
    const checkpoint = signed.get(r.seq);
    if (checkpoint) {
      seen.add(r.seq);
      if (checkpoint.hash !== r.hash) {
        report({
          ...at(r),
          problem: "rewritten",
          message: `${where(r)} does not match the checkpoint signed for it at ${checkpoint.time}: records up to seq ${r.seq} were edited and rehashed`,
        });
      }
    }
    if (witness && r.seq === witness.seq) {
      witnessMatched = witness.hash === r.hash;
      if (!witnessMatched) {
        report({
          ...at(r),
          problem: "rewritten",
          message: `${where(r)} does not match the witness checkpoint (signed ${witness.time}): records up to seq ${r.seq} were edited and rehashed`,
        });
      }
    }
    prev = r;
  }
  const lastSeq = prev?.seq ?? null;
  const firstSeq = first?.seq ?? null;

  if (first !== null && !anchored) {
    // a missing start is the first broken place in the chain
    chainBreak = {
      ...at(first),
      problem: "deleted",
      message: `records before ${where(first)} were deleted: its prev_hash is neither the genesis hash nor the anchor of a retention record`,
    };
  }
  if (chainBreak) problems.unshift(chainBreak);

  let witnessOk = false;
  if (keys) {
    checkAnchor(first, anchors, signed, report);
    checkCoverage(signed, seen, firstSeq, lastSeq, report);
    checkPromises(signed, firstSeq, lastSeq, report);
    // a signing gateway signs a store's first record, and every retention anchor
    const vouching = [...signed.keys()].filter((seq) => firstSeq !== null && seq >= firstSeq);
    if (records > 0 && vouching.length === 0) {
      report({
        ...atSeq(null),
        problem: "unsigned",
        message: `the store holds ${records} records but no signed checkpoint: it was never signed with the trusted key(s) ${keys.ids.join(", ")}, or its checkpoints were removed`,
      });
    }
    if (witness) {
      const found = checkWitness(
        witness,
        witnessMatched,
        firstSeq,
        lastSeq,
        anchors,
        signed,
        report,
      );
      witnessOk = found && witnessSigned === "valid";
    }
  }

  const signedSeqs = [...signed.keys()].filter((seq) => lastSeq !== null && seq <= lastSeq);
  const lastSigned = signedSeqs.length > 0 ? signed.get(Math.max(...signedSeqs))! : null;
  const ordered = orderProblems(problems);
  return {
    ok: ordered.length === 0,
    records,
    first_seq: firstSeq,
    last_seq: lastSeq,
    head_hash: prev?.hash ?? null,
    anchor:
      first === null || !anchored
        ? null
        : first.prev_hash === GENESIS_HASH
          ? "genesis"
          : "retention",
    broken: ordered[0] ?? null,
    problems: ordered,
    signatures: {
      checked: keys !== undefined,
      trusted_key_ids: keys?.ids ?? [],
      key_ids: [...new Set([...signed.values()].map((c) => c.key_id))],
      checkpoints: stored.length,
      last_signed_seq: lastSigned?.seq ?? null,
      last_signed_time: lastSigned?.time ?? null,
      unsigned_tail:
        lastSeq === null || firstSeq === null
          ? 0
          : lastSigned
            ? Math.max(0, lastSeq - lastSigned.seq)
            : lastSeq - firstSeq + 1,
    },
    witness: witness
      ? {
          seq: witness.seq,
          hash: witness.hash,
          key_id: witness.key_id,
          ok: witnessOk,
        }
      : null,
  };
}

/** Problems in chain order (store-wide ones last), so `broken` is the earliest. */
function orderProblems(problems: ChainBreak[]): ChainBreak[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.seq ?? Infinity) - (b.p.seq ?? Infinity) || a.i - b.i)
    .map(({ p }) => p);
}

function signatureProblem(
  c: Checkpoint,
  check: "unknown-key" | "bad-signature",
  keys: TrustedKeys,
  what = "checkpoint",
): ChainBreak {
  return check === "unknown-key"
    ? {
        ...atSeq(c.seq),
        problem: "unknown-key",
        message: `the ${what} at seq ${c.seq} is signed by key ${c.key_id}, not by a trusted key (${keys.ids.join(", ") || "none"}): if that key was yours, pass its public key with --public-key`,
      }
    : {
        ...atSeq(c.seq),
        problem: "bad-signature",
        message: `the ${what} at seq ${c.seq} (key ${c.key_id}) has an invalid signature: it was forged or altered`,
      };
}

/** A chain starting at a retention anchor needs that anchor signed (with its hash). */
function checkAnchor(
  first: AuditRecord | null,
  anchors: AuditRecord[],
  signed: Map<number, Checkpoint>,
  report: (p: ChainBreak) => void,
): void {
  if (first === null || first.prev_hash === GENESIS_HASH || anchors.length === 0) return;
  if (anchors.some((a) => signed.get(a.seq)?.hash === a.hash)) return;
  for (const a of anchors) {
    report({
      ...at(a),
      problem: "forged-anchor",
      message: `retention anchor ${where(a)} has no signed checkpoint: it was not written by the retention job, and the records before ${where(first)} were removed without it`,
    });
  }
}

/** Every signed checkpoint at or after the first record must name a record the store holds. */
function checkCoverage(
  signed: Map<number, Checkpoint>,
  seen: Set<number>,
  firstSeq: number | null,
  lastSeq: number | null,
  report: (p: ChainBreak) => void,
): void {
  const beyond = [...signed.values()].filter((c) => lastSeq === null || c.seq > lastSeq);
  if (beyond.length > 0) {
    const top = beyond.reduce((a, b) => (b.seq > a.seq ? b : a));
    report({
      ...atSeq(top.seq),
      problem: "truncated",
      message: `the store ends at ${lastSeq === null ? "no record" : `seq ${lastSeq}`}, but a checkpoint was signed at seq ${top.seq} (${top.time}): records were removed from the end`,
    });
  }
  for (const c of signed.values()) {
    if (firstSeq === null || lastSeq === null) break;
    if (c.seq < firstSeq || c.seq > lastSeq || seen.has(c.seq)) continue;
    report({
      ...atSeq(c.seq),
      problem: "deleted",
      message: `record seq ${c.seq}, signed by the checkpoint of ${c.time}, is missing`,
    });
  }
}

/** Each checkpoint promises the next at or before its next_by; the store must keep that. */
function checkPromises(
  signed: Map<number, Checkpoint>,
  firstSeq: number | null,
  lastSeq: number | null,
  report: (p: ChainBreak) => void,
): void {
  if (firstSeq === null || lastSeq === null) return;
  const live = [...signed.values()]
    .filter((c) => c.seq >= firstSeq && c.seq <= lastSeq)
    .sort((a, b) => a.seq - b.seq);
  live.forEach((c, i) => {
    const next = live[i + 1];
    const reach = next ? next.seq : lastSeq;
    if (next ? next.seq <= c.next_by : lastSeq < c.next_by) return;
    report({
      ...atSeq(c.next_by),
      problem: "missing-checkpoint",
      message: `no checkpoint between seq ${c.seq + 1} and ${c.next_by} although records go on to seq ${reach}: the checkpoint signed at seq ${c.seq} (${c.time}) promised one by seq ${c.next_by}; the records after seq ${c.seq} were rewritten or appended without signing, or checkpoints were removed`,
    });
  });
}

/** The witness's record must be in the store with its hash, and the store must reach it. */
function checkWitness(
  witness: Checkpoint,
  matched: boolean | null,
  firstSeq: number | null,
  lastSeq: number | null,
  anchors: AuditRecord[],
  signed: Map<number, Checkpoint>,
  report: (p: ChainBreak) => void,
): boolean {
  if (matched !== null) return matched; // a mismatch is reported by the scan
  if (lastSeq === null || witness.seq > lastSeq) {
    report({
      ...atSeq(witness.seq),
      problem: "truncated",
      message: `the store ends at ${lastSeq === null ? "no record" : `seq ${lastSeq}`}, before the witness checkpoint's seq ${witness.seq} (signed ${witness.time}): records were removed from the end`,
    });
    return false;
  }
  const removedByRetention = anchors.some(
    (a) =>
      signed.get(a.seq)?.hash === a.hash &&
      a.retention !== null &&
      a.retention.last_seq >= witness.seq,
  );
  if (firstSeq !== null && witness.seq < firstSeq && removedByRetention) return true;
  report({
    ...atSeq(witness.seq),
    problem: "deleted",
    message: `record seq ${witness.seq}, signed by the witness checkpoint of ${witness.time}, is missing`,
  });
  return false;
}

async function checkRecord(
  store: Pick<AuditStore, "successorOf">,
  r: AuditRecord,
  prev: AuditRecord | null,
): Promise<ChainBreak | null> {
  if (recordHash(r, r.prev_hash) !== r.hash) {
    return {
      ...at(r),
      problem: "edited",
      message: `${where(r)} was edited: its content does not match its hash`,
    };
  }
  if (prev === null || r.prev_hash === prev.hash) return null;
  const successor = await store.successorOf(prev.hash);
  if (successor !== null && successor.seq !== r.seq) {
    return {
      ...at(r),
      problem: "reordered",
      message: `${where(r)} is out of order: the record chained after seq ${prev.seq} is at seq ${successor.seq}`,
    };
  }
  return {
    ...at(r),
    problem: "deleted",
    message: `records between seq ${prev.seq} and ${where(r)} were deleted: its prev_hash is not the hash of seq ${prev.seq}`,
  };
}
