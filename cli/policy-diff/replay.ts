// Replays recorded decision inputs against two policies and collects every decision that changes:
// a flipped allow, other reasons, or (list methods) other tools shown in the list.
import type { RecordedDecision } from "./records.ts";

export interface Verdict {
  allow: boolean;
  reasons: string[];
  /** list methods (the input has a `list`): the names the policy lets the client see */
  visible?: string[];
}

/** One policy to replay against; `decide` is evaluated at the instant `at` (time.now_ns). */
export interface Replayer {
  decide(input: unknown, at: Date | undefined): Verdict;
}

export type ChangeKind = "allow->deny" | "deny->allow" | "reasons changed" | "list changed";

export interface DecisionChange {
  kind: ChangeKind;
  /** the record's decision id, else where it was read (`file:line`) */
  decision: string;
  principal: string;
  tool: string;
  base: Verdict;
  head: Verdict;
  /** "list changed": names shown by the base and no longer by the head */
  hidden?: string[];
  /** "list changed": names the head shows and the base did not */
  shown?: string[];
}

export interface ChangeCounts {
  "allow->deny": number;
  "deny->allow": number;
  "reasons changed": number;
  "list changed": number;
  total: number;
}

export interface ChangeGroup {
  principal: string;
  tool: string;
  counts: ChangeCounts;
}

export interface ReplayResult {
  replayed: number;
  counts: ChangeCounts;
  /** by principal and tool, most changes first */
  groups: ChangeGroup[];
  /** the first MAX_CHANGES_KEPT changes, in record order */
  changes: DecisionChange[];
  /** changes counted but not kept in `changes` */
  changesOmitted: number;
  /** records whose recorded allow differs from the base replay (the base is not what decided) */
  recordedDisagreements: number;
}

export const MAX_CHANGES_KEPT = 10_000;
/** distinct principal/tool groups kept; further ones are counted together under "(other)" */
export const MAX_GROUPS = 10_000;

export function noChanges(): ChangeCounts {
  return { "allow->deny": 0, "deny->allow": 0, "reasons changed": 0, "list changed": 0, total: 0 };
}

function sameReasons(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((r, i) => r === y[i]);
}

export function changeKind(base: Verdict, head: Verdict): ChangeKind | undefined {
  if (base.allow && !head.allow) return "allow->deny";
  if (!base.allow && head.allow) return "deny->allow";
  const { hidden, shown } = listChange(base, head);
  if (hidden.length > 0 || shown.length > 0) return "list changed";
  return sameReasons(base.reasons, head.reasons) ? undefined : "reasons changed";
}

/** What a list method's answer loses and gains between the two verdicts, sorted. */
export function listChange(base: Verdict, head: Verdict): { hidden: string[]; shown: string[] } {
  const before = new Set(base.visible ?? []);
  const after = new Set(head.visible ?? []);
  return {
    hidden: [...before].filter((name) => !after.has(name)).sort(),
    shown: [...after].filter((name) => !before.has(name)).sort(),
  };
}

export function emptyReplay(): ReplayResult {
  return {
    replayed: 0,
    counts: noChanges(),
    groups: [],
    changes: [],
    changesOmitted: 0,
    recordedDisagreements: 0,
  };
}

export async function replayDecisions(
  base: Replayer,
  head: Replayer,
  records: AsyncIterable<RecordedDecision>,
): Promise<ReplayResult> {
  const result = emptyReplay();
  const groups = new Map<string, ChangeGroup>();
  for await (const record of records) {
    result.replayed += 1;
    const before = base.decide(record.input, record.time);
    const after = head.decide(record.input, record.time);
    if (record.recorded?.allow !== undefined && record.recorded.allow !== before.allow)
      result.recordedDisagreements += 1;
    const kind = changeKind(before, after);
    if (kind === undefined) continue;
    result.counts[kind] += 1;
    result.counts.total += 1;
    groupFor(groups, record).counts[kind] += 1;
    groupFor(groups, record).counts.total += 1;
    if (result.changes.length < MAX_CHANGES_KEPT) {
      result.changes.push({
        kind,
        decision: record.decisionId ?? record.source,
        principal: record.principal,
        tool: record.tool,
        base: before,
        head: after,
        ...(kind === "list changed" && listChange(before, after)),
      });
    } else {
      result.changesOmitted += 1;
    }
  }
  result.groups = [...groups.values()].sort(
    (a, b) =>
      b.counts.total - a.counts.total ||
      compare(a.principal, b.principal) ||
      compare(a.tool, b.tool),
  );
  return result;
}

function groupFor(groups: Map<string, ChangeGroup>, record: RecordedDecision): ChangeGroup {
  let key = JSON.stringify([record.principal, record.tool]);
  let group = groups.get(key);
  if (group) return group;
  if (groups.size >= MAX_GROUPS) {
    key = "(other)";
    group = groups.get(key);
    if (group) return group;
    group = { principal: "(other)", tool: "(other)", counts: noChanges() };
  } else {
    group = { principal: record.principal, tool: record.tool, counts: noChanges() };
  }
  groups.set(key, group);
  return group;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
