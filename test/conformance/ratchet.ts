// Compares a conformance run with the recorded list of passing cases (passing.txt).
import type { ConformanceReport } from "./runner.ts";

export interface RatchetVerdict {
  /** listed cases that did not pass, each with its status and reason */
  regressions: string[];
  /** ids of passing cases that are not listed yet */
  newlyPassing: string[];
}

export function checkRatchet(report: ConformanceReport, listed: string[]): RatchetVerdict {
  const byId = new Map(report.results.map((r) => [r.id, r]));
  const regressions = listed
    .filter((id) => byId.get(id)?.status !== "pass")
    .map((id) => {
      const r = byId.get(id);
      if (!r) return `${id}: no longer in the corpus`;
      return `${id}: ${r.status}${r.reason ? ` (${r.reason})` : ""}`;
    });
  const listedSet = new Set(listed);
  const newlyPassing = report.results
    .filter((r) => r.status === "pass" && !listedSet.has(r.id))
    .map((r) => r.id)
    .sort();
  return { regressions, newlyPassing };
}
