// Coverage as text: a summary for people, and the message `opa test --threshold` prints.
import type { CoverageReport, LineRange } from "./coverage.ts";

const percent = (n: number): string => `${n.toFixed(2)}%`;

const rangeText = ({ start, end }: LineRange): string =>
  start.row === end.row ? `${start.row}` : `${start.row}-${end.row}`;

/** `Coverage: 73.68% (14/19 lines)`, then per file its percentage and the lines not covered. */
export function formatCoverage(report: CoverageReport): string {
  const total = report.covered_lines + report.not_covered_lines;
  const lines = [`Coverage: ${percent(report.coverage)} (${report.covered_lines}/${total} lines)`];
  for (const [file, f] of Object.entries(report.files)) {
    const missed = f.not_covered?.map(rangeText).join(", ");
    const figure = percent(f.coverage ?? 0).padStart(7);
    lines.push(`  ${figure}  ${file}${missed ? `  not covered: ${missed}` : ""}`);
  }
  return lines.map((l) => `${l}\n`).join("");
}

/** OPA's wording: the figures, then each file:lines not covered. */
export function thresholdMessage(report: CoverageReport, threshold: number): string {
  const lines = [
    `Code coverage threshold not met: got ${report.coverage.toFixed(2)} instead of ${threshold.toFixed(2)}`,
  ];
  const missed = Object.entries(report.files).flatMap(([file, f]) =>
    (f.not_covered ?? []).map((r) => `\t${file}:${rangeText(r)}`),
  );
  if (missed.length > 0) lines.push("Lines not covered:", ...missed);
  return lines.map((l) => `${l}\n`).join("");
}
