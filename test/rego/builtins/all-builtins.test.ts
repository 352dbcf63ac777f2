// Every OPA v1 builtin (opa-builtins.ts) compiles when called, except the known gaps below: a
// policy written for OPA must not fail with "undefined function" on any other.
import { describe, expect, it } from "vitest";
import { lookupBuiltin } from "../../../rego/builtins/registry.ts";
import { compileModules } from "../../../rego/compile/index.ts";
import { RegoError } from "../../../rego/errors.ts";
import { parseModule } from "../../../rego/syntax/index.ts";
import { OPA_V1_BUILTINS, SYNTAX_ONLY } from "./opa-builtins.ts";

/**
 * Builtins Gatehouse does not know yet. Adding one to the registry makes this test fail until it
 * leaves this list, so the list (and docs/rego-runtime-abi.md, which names them) stays true.
 */
const KNOWN_GAPS: string[] = [];

/** Called as statements: print has no value, and takes any number of arguments (internal.print). */
const STATEMENTS = new Set(["print"]);

function compileError(name: string, arity: number): string | undefined {
  const args = Array.from({ length: arity }, (_, i) => `input.a${i}`).join(", ");
  const call = `${name}(${args})`;
  const source = STATEMENTS.has(name)
    ? `package t\n\np if ${call}\n`
    : `package t\n\np := ${call}\n`;
  try {
    compileModules([parseModule(source, "t.rego")]);
    return undefined;
  } catch (e) {
    if (e instanceof RegoError) return e.message;
    throw e;
  }
}

describe("OPA v1 builtins", () => {
  it("lists OPA's 191 non-deprecated builtins (184 called by name, 7 reached through syntax)", () => {
    expect(OPA_V1_BUILTINS.length).toBe(184);
    expect(SYNTAX_ONLY.length).toBe(7);
  });

  it("compiles a call to every builtin except the known gaps", () => {
    const undefinedOnes = OPA_V1_BUILTINS.filter(([name, arity]) =>
      /undefined function/.test(compileError(name, arity) ?? ""),
    ).map(([name]) => name);
    expect(undefinedOnes.sort()).toEqual([...KNOWN_GAPS].sort());
  });

  it("knows each called builtin with OPA's number of arguments", () => {
    const wrong = OPA_V1_BUILTINS.filter(
      ([name]) => !KNOWN_GAPS.includes(name) && !STATEMENTS.has(name),
    )
      .filter(([name, arity]) => lookupBuiltin(name)?.arity !== arity)
      .map(([name, arity]) => `${name}: OPA ${arity}, here ${lookupBuiltin(name)?.arity}`);
    expect(wrong).toEqual([]);
  });

  it("knows the operator builtins that are also called by name", () => {
    const registered = SYNTAX_ONLY.filter(([name]) => lookupBuiltin(name) !== undefined).map(
      ([name]) => name,
    );
    expect(registered).toEqual(["internal.member_2", "internal.member_3", "internal.print"]);
  });
});
