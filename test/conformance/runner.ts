// Runs a folder of OPA-format conformance cases and summarises the outcome (used by run.ts and by
// conformance.test.ts).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadCases, skipReason } from "./cases.ts";
import type { CaseStatus } from "./evaluate-case.ts";
import { CaseWorkerPool } from "./worker-pool.ts";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
/** OPA's conformance sample, then the cases of the builtins it did not cover (SOURCE.md in each). */
export const defaultCorpusDirs: readonly string[] = ["opa", "opa-extra"].map((name) =>
  fileURLToPath(new URL(`../../../shared/conformance/${name}`, import.meta.url)),
);
export const passingListFile = fileURLToPath(new URL("./passing.txt", import.meta.url));

export interface ConformanceOptions {
  /** one corpus folder instead of the default ones */
  dir?: string;
  /** regular expression matched against each case's note */
  filter?: string;
  /** CPU time one case may take (worker-pool.ts); default 10 s */
  timeoutMs?: number;
  /** worker threads; at most 2 (the default) */
  workers?: number;
  /** called as each case finishes (progress output) */
  onResult?: (result: CaseResult, done: number, total: number) => void;
}

export interface CaseResult {
  id: string;
  note: string;
  file: string;
  topic: string;
  status: CaseStatus;
  reason?: string;
}

export interface Totals {
  passed: number;
  failed: number;
  skipped: number;
}

export interface ConformanceReport {
  dirs: string[];
  results: CaseResult[];
  totals: Totals;
  topics: Record<string, Totals>;
}

export async function runConformance(options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const dirs = options.dir ? [options.dir] : [...defaultCorpusDirs];
  for (const dir of dirs) {
    if (!existsSync(dir)) throw new Error(`conformance folder not found: ${dir}`);
  }
  const filter = options.filter ? new RegExp(options.filter) : undefined;
  const cases = loadCases(dirs).filter((c) => !filter || filter.test(c.note));
  const pool = new CaseWorkerPool(Math.min(2, options.workers ?? 2), options.timeoutMs ?? 10_000);
  let done = 0;
  try {
    const results = await Promise.all(
      cases.map(async (c): Promise<CaseResult> => {
        const skip = skipReason(c);
        const outcome = skip ? { status: "skip" as const, reason: skip } : await pool.run(c);
        const result = { id: c.id, note: c.note, file: c.file, topic: c.topic, ...outcome };
        options.onResult?.(result, ++done, cases.length);
        return result;
      }),
    );
    return { dirs, results, ...summarise(results) };
  } finally {
    await pool.close();
  }
}

function summarise(results: CaseResult[]): Pick<ConformanceReport, "totals" | "topics"> {
  const totals: Totals = { passed: 0, failed: 0, skipped: 0 };
  const topics: Record<string, Totals> = {};
  for (const r of results) {
    const topic = (topics[r.topic || "(top)"] ??= { passed: 0, failed: 0, skipped: 0 });
    const key = r.status === "pass" ? "passed" : r.status === "fail" ? "failed" : "skipped";
    totals[key]++;
    topic[key]++;
  }
  return { totals, topics };
}

export function totalsLine(t: Totals): string {
  return `${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`;
}

/** The per-topic table, ending with the totals line. */
export function formatReport(report: ConformanceReport): string {
  const names = Object.keys(report.topics).sort();
  const width = Math.max(5, ...names.map((n) => n.length));
  const row = (name: string, p: string | number, f: string | number, s: string | number) =>
    `${name.padEnd(width)}  ${String(p).padStart(6)}  ${String(f).padStart(6)}  ${String(s).padStart(7)}`;
  const lines = [row("topic", "passed", "failed", "skipped")];
  for (const name of names) {
    const t = report.topics[name]!;
    lines.push(row(name, t.passed, t.failed, t.skipped));
  }
  lines.push(totalsLine(report.totals));
  return lines.join("\n");
}

/** Ids of the passing cases, sorted: the content of passing.txt. */
export function passingIds(report: ConformanceReport): string[] {
  return report.results
    .filter((r) => r.status === "pass")
    .map((r) => r.id)
    .sort();
}

export function readPassingList(file = passingListFile): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");
}

export function writePassingList(ids: string[], file = passingListFile): void {
  writeFileSync(file, ids.length ? `${ids.join("\n")}\n` : "");
}
