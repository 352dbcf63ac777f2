// Line coverage of a test run, reported as `opa test --coverage` reports it. A line is covered
// when an expression on it was evaluated or a rule whose head is on it produced a value. The
// coverable lines of a module are the rows of its rule heads (else branches included) and of its
// expressions, nested ones included (comprehension and `every` bodies); `some` declarations are
// not counted, as in OPA. Covered lines are every line that ran, coverable or not.
import type { Expr, Module, Rule, Term } from "../syntax/ast.ts";

export interface LineRange {
  start: { row: number };
  end: { row: number };
}

/** One file's figures; empty lists and zero counts are left out, as OPA leaves them out. */
export interface FileCoverage {
  covered?: LineRange[];
  not_covered?: LineRange[];
  covered_lines?: number;
  not_covered_lines?: number;
  coverage?: number;
}

export interface CoverageReport {
  files: Record<string, FileCoverage>;
  covered_lines: number;
  not_covered_lines: number;
  /** percentage of coverable lines covered, 0 when nothing is coverable */
  coverage: number;
}

export function coverageReport(
  modules: Module[],
  hits: readonly { file: string; row: number }[],
): CoverageReport {
  const hitRows = new Map<string, Set<number>>();
  for (const { file, row } of hits) {
    let rows = hitRows.get(file);
    if (!rows) hitRows.set(file, (rows = new Set()));
    rows.add(row);
  }
  const files: Record<string, FileCoverage> = {};
  let covered = 0;
  let notCovered = 0;
  // lines of the test queries themselves (file "<query>") are not part of any module
  const fileNames = [...new Set(modules.map((m) => m.file))].sort();
  for (const file of fileNames) {
    const ran = hitRows.get(file) ?? new Set<number>();
    const coverable = new Set(modules.filter((m) => m.file === file).flatMap(coverableRows));
    const missed = [...coverable].filter((row) => !ran.has(row));
    const report = fileCoverage([...ran], missed);
    files[file] = report;
    covered += report.covered_lines ?? 0;
    notCovered += report.not_covered_lines ?? 0;
  }
  const total = covered + notCovered;
  return {
    files,
    covered_lines: covered,
    not_covered_lines: notCovered,
    coverage: total === 0 ? 0 : (100 * covered) / total,
  };
}

function fileCoverage(coveredRows: number[], notCoveredRows: number[]): FileCoverage {
  const report: FileCoverage = {};
  const covered = toRanges(coveredRows);
  const notCovered = toRanges(notCoveredRows);
  if (covered.length > 0) report.covered = covered;
  if (notCovered.length > 0) report.not_covered = notCovered;
  const coveredLines = new Set(coveredRows).size;
  const notCoveredLines = new Set(notCoveredRows).size;
  if (coveredLines > 0) report.covered_lines = coveredLines;
  if (notCoveredLines > 0) report.not_covered_lines = notCoveredLines;
  if (coveredLines > 0) report.coverage = (100 * coveredLines) / (coveredLines + notCoveredLines);
  return report;
}

/** Sorted runs of consecutive rows. */
export function toRanges(rows: number[]): LineRange[] {
  const sorted = [...new Set(rows)].sort((a, b) => a - b);
  const ranges: LineRange[] = [];
  for (const row of sorted) {
    const last = ranges.at(-1);
    if (last && last.end.row === row - 1) last.end = { row };
    else ranges.push({ start: { row }, end: { row } });
  }
  return ranges;
}

/** Rows of the module's rule heads and expressions (see the header). */
export function coverableRows(module: Module): number[] {
  const rows: number[] = [];
  const term = (t: Term | undefined): void => {
    if (!t) return;
    switch (t.type) {
      case "ref":
        return t.terms.forEach(term);
      case "array":
      case "set":
        return t.items.forEach(term);
      case "object":
        return t.items.forEach(([k, v]) => (term(k), term(v)));
      case "arraycomprehension":
      case "setcomprehension":
        term(t.term);
        return t.body.forEach(expr);
      case "objectcomprehension":
        term(t.key);
        term(t.value);
        return t.body.forEach(expr);
      case "call":
        term(t.operator);
        return t.args.forEach(term);
      default:
        return;
    }
  };
  const expr = (e: Expr): void => {
    if (e.type !== "some" && e.type !== "somein") rows.push(e.loc.row);
    e.with.forEach((w) => term(w.value));
    switch (e.type) {
      case "term":
        return term(e.term);
      case "call":
        return e.args.forEach(term);
      case "some":
        return;
      case "somein":
        term(e.key);
        term(e.value);
        return term(e.collection);
      case "every":
        term(e.key);
        term(e.value);
        term(e.domain);
        return e.body.forEach(expr);
    }
  };
  const rule = (r: Rule): void => {
    rows.push(r.head.loc.row);
    r.head.ref.forEach(term);
    r.head.args?.forEach(term);
    term(r.head.key);
    term(r.head.value);
    r.body.forEach(expr);
    if (r.else) rule(r.else);
  };
  module.rules.forEach(rule);
  return rows;
}
