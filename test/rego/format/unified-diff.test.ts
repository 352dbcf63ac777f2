import { describe, expect, it } from "vitest";
import { unifiedDiff } from "../../../rego/format/unified-diff.ts";

describe("unified diff for policy fmt --diff", () => {
  it("is empty for equal texts", () => {
    expect(unifiedDiff("a\nb\n", "a\nb\n", "f.rego")).toBe("");
  });

  it("shows changed lines with three lines of context and hunk ranges", () => {
    const before = ["1", "2", "3", "4", "x", "6", "7", "8", "9", "10"].join("\n") + "\n";
    const after = ["1", "2", "3", "4", "y", "6", "7", "8", "9", "10"].join("\n") + "\n";
    expect(unifiedDiff(before, after, "f.rego")).toBe(
      [
        "--- f.rego",
        "+++ f.rego (formatted)",
        "@@ -2,7 +2,7 @@",
        " 2",
        " 3",
        " 4",
        "-x",
        "+y",
        " 6",
        " 7",
        " 8",
        "",
      ].join("\n"),
    );
  });

  it("splits changes far apart into separate hunks", () => {
    const lines = Array.from({ length: 20 }, (_, i) => String(i + 1));
    const changed = [...lines];
    changed[0] = "one";
    changed[19] = "twenty";
    const diff = unifiedDiff(lines.join("\n"), changed.join("\n"), "f.rego");
    expect(diff.match(/^@@ .* @@$/gm)).toEqual(["@@ -1,4 +1,4 @@", "@@ -17,4 +17,4 @@"]);
  });

  it("handles inserted lines", () => {
    expect(unifiedDiff("a\nc\n", "a\nb\nc\n", "f")).toBe(
      ["--- f", "+++ f (formatted)", "@@ -1,2 +1,3 @@", " a", "+b", " c", ""].join("\n"),
    );
  });
});
