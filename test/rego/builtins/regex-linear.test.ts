// Regex and glob builtins run on RE2 (re2js): patterns that make a backtracking engine take
// exponential (or high-polynomial) time answer at once, and the bounds on what a call may cost
// are errors that name the limit. On the former JS RegExp translation the first test alone ran
// for hours (31 characters took 12 s; each one more doubles it).
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it } from "vitest";
import { hostBuiltins } from "../../../rego/builtins/host/index.ts";
import {
  MAX_PATTERN_LENGTH,
  MAX_PROGRAM_SIZE,
  MAX_REPEATED_SEARCH_MS,
  MAX_SEARCH_WORK,
} from "../../../rego/builtins/host/re2.ts";
import { buildPolicy } from "../../../rego/index.ts";
import { call, errorOf, lenient } from "./helpers.ts";

const REDOS = "^([a-zA-Z0-9_]+\\s?)+$";
const as = (n: number) => "a".repeat(n);

describe("pathological patterns answer in linear time", () => {
  it("the ReDoS from the issue: regex.match and re_match say false", () => {
    expect(call("regex.match", REDOS, `${as(31)}!`)).toBe(false);
    expect(call("re_match", REDOS, `${as(100_000)}!`)).toBe(false);
    expect(call("regex.match", REDOS, `${as(40)} ${as(40)}`)).toBe(true);
  });

  it("nested and overlapping quantifiers on long inputs", () => {
    expect(call("regex.match", "(a*)*b", as(100_000))).toBe(false);
    expect(call("regex.match", "(a|aa)+$", `${as(100_000)}b`)).toBe(false);
    expect(call("regex.match", "^(a+)+$", `${as(100_000)}!`)).toBe(false);
    expect(call("regex.find_n", "(a|aa)+$", `${as(5000)}b`, -1)).toEqual([]);
    expect(
      call("regex.find_all_string_submatch_n", "^(([a-z])+.)+[A-Z]([a-z])+$", as(5000), 1),
    ).toEqual([]);
  });

  it("split, replace and template_match with a ReDoS pattern", () => {
    const xs = "x".repeat(5000);
    expect(call("regex.split", "(x+x+)+y", xs)).toEqual([xs]);
    expect(call("regex.replace", xs, "(x+x+)+y", "z")).toBe(xs);
    expect(call("regex.template_match", "id:{(a+)+b}", `id:${as(5000)}`, "{", "}")).toBe(false);
  });

  it("glob.match with many wildcards on a long input", () => {
    expect(call("glob.match", "*a*a*a*a*a*b", [], as(100_000))).toBe(false);
    expect(call("glob.match", "**a**a**a**a**a**b", null, as(100_000))).toBe(false);
    expect(call("glob.match", "*a*a*a*a*a*b", [], `${as(100_000)}b`)).toBe(true);
  });

  it("in a compiled policy, regex.split included (which the SDK would run as a JS RegExp)", async () => {
    const source = `package redos

import rego.v1

matched := regex.match(\`${REDOS}\`, input.msg)
parts := regex.split(\`(x+x+)+y\`, input.xs)
globbed := glob.match("*a*a*a*a*a*b", [], input.msg)
`;
    const built = buildPolicy([{ file: "redos.rego", source }], { entrypoints: ["redos"] });
    const policy = await loadPolicy(built.wasm, undefined, hostBuiltins());
    const input = { msg: `${as(50_000)}!`, xs: "x".repeat(5000) };
    expect(policy.evaluate(input, "redos")).toEqual([
      { result: { matched: false, parts: [input.xs], globbed: false } },
    ]);
  });
});

describe("bounds on one call", () => {
  it("refuses patterns longer than MAX_PATTERN_LENGTH, naming the limit", () => {
    const long = "a".repeat(MAX_PATTERN_LENGTH + 1);
    expect(errorOf("regex.match", long, "a")).toBe(
      `eval_builtin_error: regex.match: regular expression is ${MAX_PATTERN_LENGTH + 1} ` +
        `characters long, more than the limit of ${MAX_PATTERN_LENGTH}`,
    );
    expect(call("regex.is_valid", long)).toBe(false);
    expect(call("regex.match", "a".repeat(MAX_PATTERN_LENGTH), "a")).toBe(false);
    expect(errorOf("glob.match", long, [], "a")).toBe(
      `eval_builtin_error: glob.match: glob is ${MAX_PATTERN_LENGTH + 1} characters long, ` +
        `more than the limit of ${MAX_PATTERN_LENGTH}`,
    );
    // each `?` becomes the delimiter class: the translation is bounded too
    expect(errorOf("glob.match", "?".repeat(1000), [".", ":", "/", "-"], "a")).toBe(
      "eval_builtin_error: glob.match: the glob's regular expression is longer than the limit " +
        `of ${MAX_PATTERN_LENGTH} characters`,
    );
  });

  it("refuses patterns that compile to more than MAX_PROGRAM_SIZE instructions", () => {
    const big = ".{1000}".repeat(70); // 490 characters, 70,002 instructions
    expect(errorOf("regex.match", big, "a")).toBe(
      "eval_builtin_error: regex.match: regular expression compiles to 70002 instructions, " +
        `more than the limit of ${MAX_PROGRAM_SIZE}`,
    );
    expect(call("regex.is_valid", big)).toBe(false);
    expect(call("regex.is_valid", ".{1000}".repeat(60))).toBe(true);
  });

  it("refuses a text too long for the pattern (instructions x positions > MAX_SEARCH_WORK)", () => {
    // ~10,000 instructions: one search of 10,000 characters could take seconds
    const wide = Array.from({ length: 10 }, (_, i) => `[ab]{${999 - i}}[^ab]`).join("|");
    const text = "ab".repeat(5000);
    const message = errorOf("regex.match", wide, text);
    expect(message).toMatch(
      /^eval_builtin_error: regex\.match: text of 10000 characters is too long for this pattern: its \d+ instructions x 10001 positions exceed the matching limit of 33554432 \(this pattern can search at most \d+ characters\); shorten the text or simplify the pattern$/,
    );
    expect(MAX_SEARCH_WORK).toBe(33554432);
    for (const name of ["regex.find_n", "regex.find_all_string_submatch_n"]) {
      expect(errorOf(name, wide, text, -1)).toContain("exceed the matching limit");
    }
    expect(errorOf("regex.split", wide, text)).toContain("exceed the matching limit");
    expect(errorOf("regex.replace", text, wide, "")).toContain("exceed the matching limit");
    expect(lenient["regex.match"]!(wide, text)).toBeUndefined();
    // the same pattern on a short text is fine
    expect(call("regex.match", wide, "ab".repeat(50))).toBe(false);
  });

  it("stops repeated searches that rescan the text (quadratic FindAll) after the time bound", () => {
    // Each match "a" needs a scan to the end for the preferred `a.*b`: 200,000 scans of
    // 200,000 characters. Every single search is within MAX_SEARCH_WORK.
    const text = as(200_000);
    for (const [name, args] of [
      ["regex.find_n", ["a.*b|a", text, -1]],
      ["regex.replace", [text, "a.*b|a", "x"]],
    ] as const) {
      expect(errorOf(name, ...args)).toMatch(
        new RegExp(
          `^eval_builtin_error: ${name.replace(".", "\\.")}: matching took more than ` +
            `${MAX_REPEATED_SEARCH_MS} ms \\(\\d+ searches, stopped at character \\d+ of 200000\\); ` +
            "shorten the text or simplify the pattern$",
        ),
      );
    }
    // a few matches are fine
    expect(call("regex.find_n", "a.*b|a", text, 3)).toEqual(["a", "a", "a"]);
  });
});
