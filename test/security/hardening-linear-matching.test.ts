// Patterns that a backtracking engine would take hours on, from the three places patterns come
// from: a policy's regex builtins, an upstream's resource templates, and glob.match. Each answers
// with the right result; on a backtracking engine each of these tests would time out.
import { describe, expect, it } from "vitest";
import { matchesTemplate } from "../../gateway/mcp/uri-template.ts";
import { hostBuiltins } from "../../rego/index.ts";

const table = hostBuiltins({ strictBuiltinErrors: true }) as Record<
  string,
  (...args: unknown[]) => unknown
>;
/** a host builtin by its Rego name, whichever import name the module uses for it */
const builtin = (name: string) => (table[name] ?? table[`gatehouse:${name}`])!;

describe("hardening: pattern matching runs in linear time", () => {
  it("an upstream template {+a}{+b}…{+f}! against a long client URI", () => {
    const template = "x://{+a}{+b}{+c}{+d}{+e}{+f}!";
    expect(matchesTemplate(template, `x://${"a".repeat(20_000)}`)).toBe(false);
    expect(matchesTemplate(template, `x://${"a".repeat(20_000)}!`)).toBe(true);
  });

  it("regex.match with nested quantifiers on the issue's input", () => {
    const call = builtin("regex.match");
    expect(call(String.raw`^([a-zA-Z0-9_]+\s?)+$`, `${"a".repeat(40)}!`)).toBe(false);
  });

  it("glob.match with many stars against a long non-matching subject", () => {
    const call = builtin("glob.match");
    expect(call("*a*a*a*a*a*a*a*b", [], "a".repeat(20_000))).toBe(false);
  });
});
