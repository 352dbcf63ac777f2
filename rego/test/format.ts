// Prints a test report the way `opa test` does: pretty text (the default) or JSON.
import { formatDuration } from "./duration.ts";
import type { SubResult, TestError, TestReport, TestResult } from "./types.ts";
import { outcomeOf } from "./types.ts";

const rule = "-".repeat(80);

/**
 * Failing, erroring and skipped tests (every test with `verbose`), each under its `file:row:` with
 * its print() and trace() output below it, then after a rule the counts: `PASS: n/total`,
 * `FAIL: ...`, `SKIPPED: ...`, `ERROR: ...` (zero counts omitted).
 */
export function formatPretty(report: TestReport, options: { verbose?: boolean } = {}): string {
  const verbose = options.verbose ?? false;
  const lines: string[] = [];
  const counts = { PASS: 0, FAIL: 0, SKIPPED: 0, ERROR: 0 };
  let lastFile: string | undefined;
  for (const result of report.results) {
    const outcome = outcomeOf(result);
    countResult(result, counts);
    if (!verbose && outcome === "PASS") continue;
    if (result.location) {
      if (lastFile !== undefined && lastFile !== result.location.file) lines.push("");
      lines.push(`${result.location.file}:${result.location.row}:`);
      lastFile = result.location.file;
    }
    lines.push(resultLine(result));
    if (result.sub_results) lines.push(...subResultLines(result.sub_results, verbose, 1));
    // print() and trace() output, as written (leading spaces kept)
    if (result.output) lines.push("", ...indent(result.output.replace(/\n+$/, "").split("\n")), "");
    if (result.error) lines.push(...indent(errorLines(result)));
  }
  const total = counts.PASS + counts.FAIL + counts.SKIPPED + counts.ERROR;
  if (lines.length > 0) lines.push(rule);
  for (const [label, n] of Object.entries(counts)) if (n > 0) lines.push(`${label}: ${n}/${total}`);
  return lines.map((l) => `${l}\n`).join("");
}

/** An array of result objects, false and empty fields left out, durations in nanoseconds. */
export function formatJson(report: TestReport): string {
  return `${JSON.stringify(jsonResults(report), null, 2)}\n`;
}

/** The result objects `formatJson` prints. */
export function jsonResults(report: TestReport): Record<string, unknown>[] {
  return report.results.map((r) => ({
    ...(r.error ? { error: r.error } : {}),
    location: r.location,
    ...(r.sub_results ? { sub_results: r.sub_results } : {}),
    package: r.package,
    name: r.name,
    ...(r.output ? { output: Buffer.from(r.output).toString("base64") } : {}),
    duration: r.duration,
    ...(r.fail ? { fail: true } : {}),
    ...(r.skip ? { skip: true } : {}),
  }));
}

function resultLine(result: TestResult): string {
  const outcome = outcomeOf(result);
  const name =
    result.name === ""
      ? (result.location?.file ?? result.package)
      : `${result.package}.${result.name}`;
  return outcome === "SKIPPED"
    ? `${name}: ${outcome}`
    : `${name}: ${outcome} (${formatDuration(result.duration)})`;
}

/** Sub-tests count one each; a test with sub-tests is not counted itself unless it errored or was skipped. */
function countResult(result: TestResult, counts: Record<string, number>): void {
  const outcome = outcomeOf(result);
  if ((outcome === "PASS" || outcome === "FAIL") && result.sub_results) {
    for (const leaf of leaves(result.sub_results)) counts[leaf.fail ? "FAIL" : "PASS"]! += 1;
  } else {
    counts[outcome]! += 1;
  }
}

function leaves(subResults: Record<string, SubResult>): SubResult[] {
  return Object.values(subResults).flatMap((s) => (s.sub_results ? leaves(s.sub_results) : [s]));
}

function subResultLines(
  subResults: Record<string, SubResult>,
  verbose: boolean,
  depth: number,
): string[] {
  return Object.values(subResults).flatMap((s) => [
    ...(s.fail || verbose ? [`${"  ".repeat(depth)}${s.name}: ${s.fail ? "FAIL" : "PASS"}`] : []),
    ...(s.sub_results ? subResultLines(s.sub_results, verbose, depth + 1) : []),
  ]);
}

/** A broken file lists its compile errors; a test's error reads `file:row: code: message`. */
function errorLines(result: TestResult): string[] {
  const error = result.error as TestError;
  if (result.name === "") return error.message.split("\n");
  const where = error.location ? `${error.location.file}:${error.location.row}: ` : "";
  return `${where}${error.code ? `${error.code}: ` : ""}${error.message}`.split("\n");
}

function indent(lines: string[]): string[] {
  return lines.map((l) => `  ${l}`);
}
