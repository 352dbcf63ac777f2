import { describe, expect, it } from "vitest";
import { call, errorOf, lenient } from "./helpers.ts";

describe("glob.match", () => {
  it.each([
    ["*.github.com", [], "api.github.com", true],
    ["*.github.com", [], "api.cdn.github.com", false],
    ["**.github.com", [], "api.cdn.github.com", true],
    ["*hub.com", null, "api.cdn.github.com", true],
    ["*.github.com", ["."], "api.example.com", false],
    ["*:github:com", [":"], "api:github:com", true],
    ["api.{github,example}.com", [], "api.example.com", true],
    ["api.{github,example}.com", [], "api.gitlab.com", false],
    ["{a,b{c,d}}x", [], "bdx", true],
    ["a,b", [], "a,b", true],
    ["a}", [], "a}", true],
    ["[abc]at", [], "bat", true],
    ["[!abc]at", [], "cat", false],
    ["[!a-c]at", [], "fat", true],
    ["[a-c]at", [], "fat", false],
    ["?at", [], "cat", true],
    ["?at", [], ".at", false],
    ["?at", null, ".at", true],
    ["\\*at", [], "*at", true],
    ["\\*at", [], "cat", false],
    ["a.*", ["/"], "a.b.c", true],
    ["a/*", ["/"], "a/b/c", false],
    ["", [], "", true],
    ["ü*", [], "über", true],
    ["?", [], "😀", true],
    ["😀*😂", [], "😀x😁😂", true],
    // RE2 metacharacters are literals in globs, also as delimiters and in ranges
    ["a+b(c)|d$^.", [], "a+b(c)|d$^.", true],
    ["a+b(c)|d$^.", [], "aab(c)|d$^.", false],
    ["*", ["]", "^", "-", "\\"], "ab", true],
    ["*", ["]", "^", "-", "\\"], "a^b", false],
    ["*", ["]", "^", "-", "\\"], "a\\b", false],
    ["[+-/]", [], ",", true],
    ["[!+-/]", [], ",", false],
    ["[\\]]x", [], "]x", true],
  ])("glob.match(%j, %j, %j) = %j", (pattern, delimiters, text, want) => {
    expect(call("glob.match", pattern, delimiters, text)).toBe(want);
  });

  it("reports bad patterns and operands", () => {
    expect(errorOf("glob.match", "{a,b", [], "a")).toBe(
      "eval_builtin_error: glob.match: unexpected end of input",
    );
    expect(errorOf("glob.match", "[ab", [], "a")).toBe(
      "eval_builtin_error: glob.match: unexpected end of input",
    );
    expect(lenient["glob.match"]!("{a,b", [], "a")).toBeUndefined();
    expect(errorOf("glob.match", "*", "x", "a")).toBe(
      "eval_type_error: glob.match: operand 2 must be one of {array, null} but got string",
    );
    expect(errorOf("glob.match", "*", ["ab"], "a")).toBe(
      "eval_type_error: glob.match: operand 2 must be array of runes but got array containing string",
    );
  });
});

describe("glob.quote_meta", () => {
  it.each([
    ["*.github.com", "\\*.github.com"],
    ["[a-c]at", "\\[a-c\\]at"],
    ["{a,b}?", "\\{a,b\\}\\?"],
    ["a\\b", "a\\\\b"],
  ])("quotes %j", (pattern, want) => {
    expect(call("glob.quote_meta", pattern)).toBe(want);
    expect(call("glob.match", want, [], pattern)).toBe(true);
  });
});
