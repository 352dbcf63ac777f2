// Prints a decision diff as text (terminals), Markdown (pull-request comments) or JSON (tools).
import type { ChangeCounts, ChangeKind, DecisionChange, ReplayResult, Verdict } from "./replay.ts";

export type DiffFormat = "text" | "markdown" | "json";
export const DIFF_FORMATS: DiffFormat[] = ["text", "markdown", "json"];

/** Changed decisions listed one by one in text and Markdown; JSON holds every kept change. */
export const LISTED_CHANGES = 50;

export interface DiffSummary extends ReplayResult {
  /** `main (1a2b3c4d)` */
  baseLabel: string;
  headLabel: string;
  policies: string;
  decisions?: string;
  changedFiles?: { status: string; path: string }[];
}

const KINDS: ChangeKind[] = ["allow->deny", "deny->allow", "reasons changed", "list changed"];

export function formatDiff(summary: DiffSummary, format: DiffFormat): string {
  if (format === "json") return `${JSON.stringify(jsonReport(summary), null, 2)}\n`;
  return format === "markdown" ? markdown(summary) : text(summary);
}

function jsonReport(s: DiffSummary): unknown {
  return {
    base: s.baseLabel,
    head: s.headLabel,
    policies: s.policies,
    decisions: s.decisions ?? null,
    changed_files: s.changedFiles ?? [],
    replayed: s.replayed,
    changed: s.counts.total,
    counts: kindCounts(s.counts),
    recorded_disagreements: s.recordedDisagreements,
    groups: s.groups.map((g) => ({
      principal: g.principal,
      tool: g.tool,
      changed: g.counts.total,
      counts: kindCounts(g.counts),
    })),
    changes: s.changes,
    changes_omitted: s.changesOmitted,
  };
}

function kindCounts(c: ChangeCounts): Record<ChangeKind, number> {
  return {
    "allow->deny": c["allow->deny"],
    "deny->allow": c["deny->allow"],
    "reasons changed": c["reasons changed"],
    "list changed": c["list changed"],
  };
}

function countsPhrase(c: ChangeCounts, arrow: (kind: ChangeKind) => string): string {
  return KINDS.filter((k) => c[k] > 0)
    .map((k) => `${c[k]} ${arrow(k)}`)
    .join(", ");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function headline(s: DiffSummary, arrow: (kind: ChangeKind) => string): string {
  if (s.decisions === undefined)
    return "no recorded decisions given (--decisions): both revisions compile; nothing replayed";
  if (s.counts.total === 0)
    return `replayed ${plural(s.replayed, "recorded decision")}: none changes`;
  return `replayed ${plural(s.replayed, "recorded decision")}: ${s.counts.total} change (${countsPhrase(s.counts, arrow)})`;
}

function verdictText(v: Verdict): string {
  return `${v.allow ? "allow" : "deny"}: ${v.reasons.join("; ") || "(no reasons)"}`;
}

/** A list change as "hidden: a, b; shown: c" (the verdicts' reasons are the same). */
function listText(c: DecisionChange): string {
  const names = (list: string[] | undefined) => (list?.length ? list.join(", ") : "(none)");
  return `hidden: ${names(c.hidden)}; shown: ${names(c.shown)}`;
}

/** What a change's before and after columns say. */
function beforeAfter(c: DecisionChange): [string, string] {
  if (c.kind !== "list changed") return [verdictText(c.base), verdictText(c.head)];
  return [`${c.base.visible?.length ?? 0} visible`, listText(c)];
}

function text(s: DiffSummary): string {
  const lines = [`policy diff ${s.policies}: ${s.baseLabel} -> ${s.headLabel}`];
  if (s.changedFiles && s.changedFiles.length > 0) {
    lines.push(`changed files: ${s.changedFiles.map((f) => `${f.status} ${f.path}`).join(", ")}`);
  }
  lines.push(headline(s, (k) => k));
  if (s.groups.length > 0) {
    lines.push("", "by principal and tool:");
    for (const g of s.groups) {
      lines.push(`  ${g.principal}  ${g.tool}  ${countsPhrase(g.counts, (k) => k)}`);
    }
    lines.push("", `changed decisions${listedNote(s)}:`);
    for (const c of s.changes.slice(0, LISTED_CHANGES)) {
      const [before, after] = beforeAfter(c);
      lines.push(`  ${c.decision}  ${c.principal}  ${c.tool}  ${c.kind}`);
      lines.push(`    before: ${before}`);
      lines.push(`    after:  ${after}`);
    }
  }
  if (s.recordedDisagreements > 0) lines.push("", disagreementNote(s));
  return `${lines.join("\n")}\n`;
}

function listedNote(s: DiffSummary): string {
  return s.counts.total > LISTED_CHANGES ? ` (first ${LISTED_CHANGES} of ${s.counts.total})` : "";
}

function disagreementNote(s: DiffSummary): string {
  const n = s.recordedDisagreements;
  return `note: ${plural(n, "recorded decision")} ${n === 1 ? "differs" : "differ"} from the base replay: the base revision is not the policy that made ${n === 1 ? "it" : "them"}`;
}

const MD_ARROW: Record<ChangeKind, string> = {
  "allow->deny": "allow → deny",
  "deny->allow": "deny → allow",
  "reasons changed": "reasons changed",
  "list changed": "list changed",
};

/** Text safe in a Markdown table cell: no pipes, line breaks or HTML. */
function cell(value: string): string {
  const clipped = value.length > 300 ? `${value.slice(0, 300)}…` : value;
  return clipped
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/[\r\n]+/g, " ")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/`/g, "'");
}

function markdown(s: DiffSummary): string {
  const out = [
    `### Policy decision diff: \`${cell(s.baseLabel)}\` → \`${cell(s.headLabel)}\``,
    "",
    `Policy folder \`${cell(s.policies)}\`${s.decisions ? `, decisions from \`${cell(s.decisions)}\`` : ""}.`,
    "",
  ];
  const lead = headline(s, (k) => MD_ARROW[k]);
  out.push(s.counts.total > 0 ? `**${lead}**` : lead, "");
  if (s.groups.length > 0) {
    out.push(
      "| principal | tool | allow → deny | deny → allow | reasons changed | list changed |",
      "|---|---|---:|---:|---:|---:|",
    );
    for (const g of s.groups) {
      out.push(
        `| ${cell(g.principal)} | ${cell(g.tool)} | ${g.counts["allow->deny"]} | ${g.counts["deny->allow"]} | ${g.counts["reasons changed"]} | ${g.counts["list changed"]} |`,
      );
    }
    out.push(
      "",
      "<details>",
      `<summary>Changed decisions${listedNote(s)}</summary>`,
      "",
      "| decision | principal | tool | change | before | after |",
      "|---|---|---|---|---|---|",
    );
    for (const c of s.changes.slice(0, LISTED_CHANGES)) out.push(changeRow(c));
    out.push("", "</details>", "");
  }
  if (s.changedFiles && s.changedFiles.length > 0) {
    out.push(
      `Changed policy files: ${s.changedFiles.map((f) => `\`${cell(f.status)} ${cell(f.path)}\``).join(", ")}`,
      "",
    );
  }
  if (s.recordedDisagreements > 0) out.push(`_${disagreementNote(s)}_`, "");
  return `${out.join("\n")}`;
}

function changeRow(c: DecisionChange): string {
  const [before, after] = beforeAfter(c);
  return `| ${cell(c.decision)} | ${cell(c.principal)} | ${cell(c.tool)} | ${MD_ARROW[c.kind]} | ${cell(before)} | ${cell(after)} |`;
}
