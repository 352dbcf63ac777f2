import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadCases } from "./cases.ts";

const made: string[] = [];
function corpus(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "gh-corpus-"));
  made.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const yamlCase = (note: string) => `cases:\n  - note: ${note}\n    query: data.x = y\n`;

describe("loadCases over several folders", () => {
  it("keeps ids unique across folders, numbering later folders' repeats after the earlier ones", () => {
    const first = corpus({ "time/a.yaml": yamlCase("time/weekday"), "b/b.yaml": yamlCase("b/x") });
    const second = corpus({
      "time/c.yaml": yamlCase("time/weekday") + "  - note: time/weekday\n    query: q\n",
    });
    const cases = loadCases([first, second]);
    expect(cases.map((c) => [c.id, c.file, c.topic])).toEqual([
      ["b/x", "b/b.yaml", "b"],
      ["time/weekday", "time/a.yaml", "time"],
      ["time/weekday (#2)", "time/c.yaml", "time"],
      ["time/weekday (#3)", "time/c.yaml", "time"],
    ]);
    // the first folder alone gives the same ids as before the second was added
    expect(loadCases(first).map((c) => c.id)).toEqual(["b/x", "time/weekday"]);
  });
});
