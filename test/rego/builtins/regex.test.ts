import { describe, expect, it } from "vitest";
import { call, errorOf, lenient } from "./helpers.ts";

const matches = (pattern: string, text: string) => call("regex.match", pattern, text);

describe("RE2 syntax (Go's regexp, on re2js)", () => {
  it.each([
    ["(?i)ABC", "xabcx", true],
    ["a(?i:b)c", "aBc", true],
    ["a(?i:b)c", "ABc", false],
    ["(?i)a(?-i)b", "Ab", true],
    ["(?i)a(?-i)b", "AB", false],
    ["(?i)[a-c]x", "BX", true],
    ["^.$", "\r", true],
    ["^.$", "\n", false],
    ["(?s)^.$", "\n", true],
    ["a$", "a\n", false],
    ["(?m)^b$", "a\nb\nc", true],
    ["^b$", "a\nb\nc", false],
    ["\\Aab\\z", "ab", true],
    ["\\Aab\\z", "ab\n", false],
    ["^\\s$", "\u000b", false],
    ["^\\s$", "\t", true],
    ["^[[:alpha:]]+$", "abcXYZ", true],
    ["^[[:alpha:]]+$", "abc1", false],
    ["^[[:^digit:]x]+$", "abx", true],
    ["^[[:^digit:]]+$", "ab1", false],
    ["^(?P<word>\\w+)$", "hello", true],
    ["^(?<word>\\w+)$", "hello", true],
    ["^\\Q*.+\\E$", "*.+", true],
    ["^\\Q*.+\\E$", "a.b", false],
    ["^\\pL+$", "héllo", true],
    ["^\\p{Greek}+$", "αβγ", true],
    ["^\\p{Greek}+$", "abc", false],
    ["^\\PL$", "1", true],
    ["^\\x{263a}\\x41$", "☺A", true],
    ["^\\141$", "a", true],
    ["^a{$", "a{", true],
    ["^x{,2}$", "x{,2}", true],
    ["^a{2,3}$", "aaa", true],
    ["^[]a]+$", "]a]", true],
    ["^[^\\d]+$", "abc", true],
    ["^\\-\\#\\:$", "-#:", true],
    ["(?U)a+", "aaa", true],
    ["^(?:ab)+$", "abab", true],
    ["^(?i:ab)+$", "aBAb", true],
  ])("regex.match(%j, %j) = %j", (pattern, text, want) => {
    expect(matches(pattern, text)).toBe(want);
  });

  it("makes (?U) swap greedy and lazy repetition", () => {
    expect(call("regex.find_n", "(?U)a+", "aaa", -1)).toEqual(["a", "a", "a"]);
    expect(call("regex.find_n", "(?U)a+?", "aaa", -1)).toEqual(["aaa"]);
  });

  it.each([
    ["[a", "missing closing ]: `[a`"],
    ["(a", "missing closing ): `(a`"],
    ["a)", "unexpected ): `a)`"],
    ["a**", "invalid nested repetition operator: `**`"],
    ["*a", "missing argument to repetition operator: `*`"],
    ["a{1001}", "invalid repeat count: `{1001}`"],
    ["a{3,2}", "invalid repeat count: `{3,2}`"],
    ["(?=a)", "invalid or unsupported Perl syntax: `(?=`"],
    ["(?<!a)", "invalid named capture: `(?<!a)`"],
    ["(?P<n>a)(?P<n>b)", "duplicate capture group name: `n`"],
    ["(?x)", "invalid or unsupported Perl syntax: `(?x`"],
    ["(a)\\1", "invalid escape sequence: `\\1`"],
    ["\\Z", "invalid escape sequence: `\\Z`"],
    ["[z-a]", "invalid character class range: `z-a`"],
    ["[[:foo:]]", "invalid character class range: `[:foo:]`"],
    ["\\p{Nope}", "invalid character class range: `\\p{Nope}`"],
    ["\\C", "invalid escape sequence: `\\C`"],
    ["\\x{110000}", "invalid escape sequence: `\\x{110000`"],
    ["a\\", "trailing backslash at end of expression: ``"],
    ["(((a{100}){100}){100})", "invalid repeat count: `{100}`"],
  ])("rejects %j like Go: %s", (pattern, message) => {
    expect(errorOf("regex.match", pattern, "x")).toBe(
      `eval_builtin_error: regex.match: error parsing regexp: ${message}`,
    );
    expect(call("regex.is_valid", pattern)).toBe(false);
    expect(lenient["regex.match"]!(pattern, "x")).toBeUndefined();
  });

  it("names the whole pattern when it nests too deeply, as Go does", () => {
    const deep = `${"(".repeat(1001)}a${")".repeat(1001)}`;
    expect(errorOf("regex.match", deep, "x")).toBe(
      `eval_builtin_error: regex.match: error parsing regexp: expression nests too deeply: \`${deep}\``,
    );
  });

  it("accepts what Go accepts in regex.is_valid", () => {
    expect(call("regex.is_valid", "^[a-z]+\\.example\\.com$")).toBe(true);
    // an empty flag group, a named group .NET-style, a dash after a Perl class
    for (const p of ["(?)", "(?<word>x)", "[\\d-z]", "(?i)\\p{Greek}"])
      expect(call("regex.is_valid", p)).toBe(true);
    expect(call("regex.is_valid", 42)).toBe(false);
  });

  it("numbers capture groups like Go ((?:) does not capture)", () => {
    expect(call("regex.find_all_string_submatch_n", "(a)(?:b)(?P<c>d)", "abd", -1)).toEqual([
      ["abd", "a", "d"],
    ]);
  });
});

describe("regex builtins", () => {
  it("find_n follows Go's FindAllString (empty match after a match is skipped)", () => {
    expect(call("regex.find_n", "a*", "baaac", -1)).toEqual(["", "aaa", ""]);
    expect(call("regex.find_n", "[0-9]+", "a1b22c333", 2)).toEqual(["1", "22"]);
    expect(call("regex.find_n", "[0-9]+", "a1b22c333", 0)).toEqual([]);
  });

  it("find_all_string_submatch_n pads unmatched groups with empty strings", () => {
    expect(call("regex.find_all_string_submatch_n", "(a)|(b)", "ab", -1)).toEqual([
      ["a", "a", ""],
      ["b", "", "b"],
    ]);
  });

  it("split follows Go's Regexp.Split", () => {
    expect(call("regex.split", "a", "banana")).toEqual(["b", "n", "n", ""]);
    expect(call("regex.split", ",", "")).toEqual([""]);
    expect(call("regex.split", "x*", "axbc")).toEqual(["a", "b", "c"]);
  });

  it("replace expands Go templates", () => {
    expect(call("regex.replace", "abcabc", "b(c)", "[$1]")).toBe("a[c]a[c]");
    expect(call("regex.replace", "abc", "(?P<x>b)", "<${x}$$>")).toBe("a<b$>c");
    expect(call("regex.replace", "abc", "(b)", "$1x")).toBe("ac");
    expect(call("regex.replace", "baaac", "a*", "-")).toBe("-b-c-");
    expect(call("regex.replace", "hello", "x", "y")).toBe("hello");
  });

  it("replace keeps Go's reading of malformed and unknown template references", () => {
    expect(call("regex.replace", "abc", "(b)", "${1}x")).toBe("abxc");
    expect(call("regex.replace", "abc", "b", "$")).toBe("a$c");
    expect(call("regex.replace", "abc", "(b)", "${1")).toBe("a${1c");
    expect(call("regex.replace", "abc", "(b)", "[$2][$constructor][$ä]")).toBe("a[][][]c");
    expect(call("regex.replace", "abc", "(?P<x>b)", "$x$x")).toBe("abbc");
  });

  it("works on characters, not UTF-16 units, and returns the strings Go returns", () => {
    // Go's \w and \b are ASCII; \pL is Unicode
    expect(call("regex.find_n", "\\w+", "héllo wörld", -1)).toEqual(["h", "llo", "w", "rld"]);
    expect(call("regex.find_n", "\\pL+", "héllo wörld", -1)).toEqual(["héllo", "wörld"]);
    expect(call("regex.find_n", ".", "a😀b", -1)).toEqual(["a", "😀", "b"]);
    expect(call("regex.find_n", "", "😀", -1)).toEqual(["", ""]);
    expect(call("regex.find_n", "[😀-😂]+", "x😁😂y", -1)).toEqual(["😁😂"]);
    expect(call("regex.split", "", "a😀b")).toEqual(["a", "😀", "b"]);
    expect(call("regex.split", "😀", "a😀b😀")).toEqual(["a", "b", ""]);
    expect(call("regex.replace", "a😀b", "", "-")).toBe("-a-😀-b-");
    expect(call("regex.find_all_string_submatch_n", "(é)(x)?", "éé", -1)).toEqual([
      ["é", "é", ""],
      ["é", "é", ""],
    ]);
    // simple case folding: k, K and the Kelvin sign
    expect(call("regex.match", "^(?i)k+$", "kK\u212a")).toBe(true);
  });

  it("template_match", () => {
    expect(call("regex.template_match", "urn:foo:{.*}", "urn:foo:bar:baz", "{", "}")).toBe(true);
    expect(
      call("regex.template_match", "urn:foo.bar.com:{.*}", "urn:foo.com:bar:baz", "{", "}"),
    ).toBe(false);
    expect(
      call("regex.template_match", "urn:foo.bar.com:{.{1,2}}", "urn:foo.bar.com:aa", "{", "}"),
    ).toBe(true);
    expect(call("regex.template_match", "urn:foo:<.*>", "urn:foo:bar:baz", "<", ">")).toBe(true);
    expect(errorOf("regex.template_match", "urn:foo.bar.com:{.*{}", "foobar", "{", "}")).toBe(
      'eval_builtin_error: regex.template_match: unbalanced braces in "urn:foo.bar.com:{.*{}"',
    );
    expect(errorOf("regex.template_match", "a", "a", "{{", "}")).toContain(
      "start delimiter has to be exactly one character",
    );
  });

  it("reports operand types like OPA", () => {
    expect(errorOf("regex.match", 1, "x")).toBe(
      "eval_type_error: regex.match: operand 1 must be string but got number",
    );
    expect(errorOf("regex.find_n", "a", "a", 1.5)).toBe(
      "eval_type_error: regex.find_n: operand 3 must be integer number but got floating-point number",
    );
  });
});
