// The ratchet: every case listed in passing.txt must keep passing on OPA's conformance corpus
// (both folders of runner.ts defaultCorpusDirs).
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkRatchet } from "./ratchet.ts";
import { defaultCorpusDirs, readPassingList, runConformance, totalsLine } from "./runner.ts";

const missing = defaultCorpusDirs.filter((dir) => !existsSync(dir));
const corpusPresent = missing.length === 0;
if (!corpusPresent) {
  console.warn(`conformance ratchet skipped: corpus folder(s) missing: ${missing.join(", ")}`);
}

describe.skipIf(!corpusPresent)("OPA conformance ratchet", () => {
  it(
    "passes every case listed in test/conformance/passing.txt",
    { timeout: 30 * 60_000 },
    async () => {
      // A generous CPU-time limit: this asserts results, not speed.
      const report = await runConformance({ timeoutMs: 30_000 });
      const { regressions, newlyPassing } = checkRatchet(report, readPassingList());
      console.log(`conformance: ${totalsLine(report.totals)}`);
      if (newlyPassing.length > 0) {
        console.log(
          `${newlyPassing.length} case(s) pass but are not in test/conformance/passing.txt; ` +
            "record them with: npm run conformance -- --write-passing",
        );
      }
      expect(
        regressions,
        `cases in passing.txt that no longer pass:\n${regressions.join("\n")}`,
      ).toEqual([]);
    },
  );
});
