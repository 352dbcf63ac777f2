import { describe, expect, it } from "vitest";
import {
  globAutomaton,
  MAX_GLOB_LENGTH,
  MAX_INTERSECTION_WORK,
  parseGlob,
  transitionEstimate,
} from "../../../rego/builtins/host/globs-match.ts";
import { call, errorOf, lenient } from "./helpers.ts";

const invalid = (input: string, pos: number, message: string) =>
  `eval_builtin_error: regex.globs_match: input:${input}, pos:${pos}, ${message}: ` +
  "the input provided is invalid";

describe("regex.globs_match", () => {
  it.each([
    ["a.a.", ".b.b", true], // abab
    ["a.a.[0-9]+z", ".b.b2359825792*594823z", true],
    ["[a-z]+", "[0-9]*", false],
    ["b.*", "bar", true],
    ["[a-z]+\\[[0-9]+\\]", "foo\\[1\\]", true],
    ["[a-z]+\\[[0-9]+\\]", 'foo["bar"]', false],
    // only non-empty strings count: two patterns that share only "" do not match
    ["a*", "b*", false],
    ["a*", "a*", true],
    ["", "", false],
    ["", "a*", false],
    // every other character is itself: no anchors, groups, alternation or `?`
    ["(a|b)?^$", "(a|b)?^$", true],
    ["(a|b)", "a", false],
    ["a?", "a", false],
    ["[^a]", "^", true],
    ["[^a]", "b", false],
    // sets: ranges, escapes, the empty set
    ["[a-cx]", "x", true],
    ["[a-c]+", "d", false],
    ["[\\]\\-]", "-", true],
    ["[]", "a", false],
    ["[]*a", "a", true],
    // `.` is any character, a code point at a time
    [".", "😀", true],
    ["..", "😀", false],
    ["[😀-😂]+", "😁😂", true],
    ["ὈΔ.", "Ὀ.Σ", true],
    // intersections no greedy matcher would find
    [".*a.*", ".*b.*", true],
    ["a*ab", "a+b", true],
    ["[ab]*c[ab]*", "a*b*a*", false],
  ])("globs_match(%j, %j) is %j", (a, b, want) => {
    expect(call("regex.globs_match", a, b)).toBe(want);
    expect(call("regex.globs_match", b, a)).toBe(want);
  });

  it.each([
    ["pqrs]", 5, "set-close ']' with no preceding '['"],
    ["*a", 1, "flag '*' must be preceded by a non-flag"],
    ["a+*", 3, "flag '*' must be preceded by a non-flag"],
    ["a\\", 1, "input ends with a \\ (escape) character"],
    ["[a\\", 2, "input ends with a \\ (escape) character"],
    ["[abc", 4, "found [ without matching ]"],
    ["[", 1, "found [ without matching ]"],
    ["[-a]", 2, "range character '-' must be preceded by a Unicode character"],
    ["[a-c-e]", 5, "range character '-' must be preceded by a Unicode character"],
    // OPA wants a character after the range's end, so `[a-]` and `[a-b` end here
    ["[a-]", 3, "range character '-' must be followed by a Unicode character"],
    ["[a-b", 3, "range character '-' must be followed by a Unicode character"],
    ["[a-]]", 4, "range character '-' cannot be followed by a special symbol"],
    ["[a--]", 4, "range character '-' cannot be followed by a special symbol"],
    ["[z-a]", 4, "range is out of order: 'a' comes before 'z' in Unicode"],
    ["😀]", 2, "set-close ']' with no preceding '['"],
  ])("rejects %j at character %i", (pattern, pos, message) => {
    expect(errorOf("regex.globs_match", pattern, "a")).toBe(invalid(pattern, pos, message));
    expect(errorOf("regex.globs_match", "a", pattern)).toBe(invalid(pattern, pos, message));
  });

  it("reports the first pattern's error first, and operand types before both", () => {
    expect(errorOf("regex.globs_match", "]", "*")).toBe(
      invalid("]", 1, "set-close ']' with no preceding '['"),
    );
    expect(errorOf("regex.globs_match", "]", 1)).toBe(
      "eval_type_error: regex.globs_match: operand 2 must be string but got number",
    );
    expect(lenient["regex.globs_match"]!("]", "a")).toBeUndefined();
  });
});

describe("regex.globs_match bounds", () => {
  it("refuses patterns longer than the limit", () => {
    const long = "a".repeat(MAX_GLOB_LENGTH + 1);
    expect(errorOf("regex.globs_match", long, "a")).toBe(
      `eval_builtin_error: regex.globs_match: pattern is ${MAX_GLOB_LENGTH + 1} characters long, ` +
        `more than the limit of ${MAX_GLOB_LENGTH}`,
    );
  });

  it("refuses pairs whose automata are too large to intersect, before building them", () => {
    // runs of `*` tokens give each state a transition into every token of the run
    for (const [a, b] of [
      ["a*".repeat(2000), "a*".repeat(2000)],
      ["a".repeat(MAX_GLOB_LENGTH), ".*".repeat(MAX_GLOB_LENGTH / 2)],
      [".*a".repeat(200), ".*b".repeat(200)],
    ]) {
      expect(errorOf("regex.globs_match", a, b)).toMatch(
        new RegExp(
          `^eval_builtin_error: regex\\.globs_match: the patterns' automata may have \\d+ pairs ` +
            `of transitions to intersect, more than the limit of ${MAX_INTERSECTION_WORK}; `,
        ),
      );
    }
  });

  it("estimates at least the transitions of the automaton refa builds", () => {
    const parts = ["a", "b", ".", "[ab]", "[]", "\\*"];
    const flags = ["", "", "*", "+"];
    let seed = 17;
    const pick = <T>(xs: T[]): T => xs[(seed = (seed * 48271) % 2147483647) % xs.length]!;
    for (let n = 0; n < 500; n++) {
      let glob = "";
      for (let i = n % 14; i > 0; i--) glob += pick(parts) + pick(flags);
      const tokens = parseGlob(glob);
      const nfa = globAutomaton(tokens);
      let transitions = 0;
      for (const node of nfa.nodes()) transitions += node.out.size;
      expect(transitions, glob).toBeLessThanOrEqual(transitionEstimate(tokens));
    }
  });
});
