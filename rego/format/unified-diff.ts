// Unified diff (`diff -u` layout, 3 lines of context) between two texts, for `policy fmt --diff`.
// Longest-common-subsequence over lines; inputs beyond MAX_CELLS are shown as one replaced hunk.

const CONTEXT = 3;
const MAX_CELLS = 4_000_000;

type Op = { kind: " " | "-" | "+"; line: string };

export function unifiedDiff(before: string, after: string, name: string): string {
  if (before === after) return "";
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = a.length * b.length > MAX_CELLS ? replaceAll(a, b) : lineOps(a, b);
  let out = `--- ${name}\n+++ ${name} (formatted)\n`;
  for (const hunk of hunks(ops)) out += hunk;
  return out;
}

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function replaceAll(a: string[], b: string[]): Op[] {
  return [
    ...a.map((line) => ({ kind: "-" as const, line })),
    ...b.map((line) => ({ kind: "+" as const, line })),
  ];
}

function lineOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: length of the LCS of a[i..] and b[j..]
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] =
        a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ kind: " ", line: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) ops.push({ kind: "-", line: a[i++]! });
    else ops.push({ kind: "+", line: b[j++]! });
  }
  while (i < n) ops.push({ kind: "-", line: a[i++]! });
  while (j < m) ops.push({ kind: "+", line: b[j++]! });
  return ops;
}

function hunks(ops: Op[]): string[] {
  const changes: number[] = [];
  ops.forEach((o, k) => o.kind !== " " && changes.push(k));
  const out: string[] = [];
  let first = 0;
  for (let c = 1; c <= changes.length; c++) {
    // a hunk ends where the next change is more than 2*CONTEXT unchanged lines away
    if (c < changes.length && changes[c]! - changes[c - 1]! <= 2 * CONTEXT + 1) continue;
    const start = Math.max(0, changes[first]! - CONTEXT);
    const end = Math.min(ops.length, changes[c - 1]! + 1 + CONTEXT);
    out.push(hunkText(ops, start, end));
    first = c;
  }
  return out;
}

function hunkText(ops: Op[], start: number, end: number): string {
  let aLine = 1;
  let bLine = 1;
  for (let k = 0; k < start; k++) {
    if (ops[k]!.kind !== "+") aLine++;
    if (ops[k]!.kind !== "-") bLine++;
  }
  const slice = ops.slice(start, end);
  const aCount = slice.filter((o) => o.kind !== "+").length;
  const bCount = slice.filter((o) => o.kind !== "-").length;
  let text = `@@ -${aCount === 0 ? aLine - 1 : aLine},${aCount} +${bCount === 0 ? bLine - 1 : bLine},${bCount} @@\n`;
  for (const o of slice) text += `${o.kind}${o.line}\n`;
  return text;
}
