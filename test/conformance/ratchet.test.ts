import { describe, expect, it } from "vitest";
import { checkRatchet } from "./ratchet.ts";
import type { CaseResult, ConformanceReport } from "./runner.ts";

function report(results: Pick<CaseResult, "id" | "status" | "reason">[]): ConformanceReport {
  const full = results.map((r) => ({ ...r, note: r.id, file: "f.yaml", topic: "t" }));
  return { dirs: ["d"], results: full, totals: { passed: 0, failed: 0, skipped: 0 }, topics: {} };
}

describe("checkRatchet", () => {
  it("names each listed case that no longer passes", () => {
    const verdict = checkRatchet(
      report([
        { id: "a", status: "pass" },
        { id: "b", status: "fail", reason: "expected 1, got 2" },
        { id: "c", status: "skip", reason: "marked skip" },
      ]),
      ["a", "b", "c", "gone"],
    );
    expect(verdict.regressions).toEqual([
      "b: fail (expected 1, got 2)",
      "c: skip (marked skip)",
      "gone: no longer in the corpus",
    ]);
    expect(verdict.newlyPassing).toEqual([]);
  });

  it("lists passing cases missing from the list, sorted", () => {
    const verdict = checkRatchet(
      report([
        { id: "z", status: "pass" },
        { id: "a", status: "pass" },
        { id: "m", status: "fail" },
      ]),
      ["a"],
    );
    expect(verdict).toEqual({ regressions: [], newlyPassing: ["z"] });
  });
});
