import { describe, expect, it } from "vitest";
import { errorMismatch, parseErrorText, resultSetMismatch } from "./compare.ts";

describe("resultSetMismatch", () => {
  it("compares result sets as sets of bindings", () => {
    expect(resultSetMismatch([{ x: 1 }, { x: 2 }], [{ x: 2 }, { x: 1 }], false)).toBeUndefined();
    expect(
      resultSetMismatch([{ x: { b: 1, a: [1.0, "s"] } }], [{ x: { a: [1, "s"], b: 1 } }], false),
    ).toBeUndefined();
    expect(resultSetMismatch([], [], false)).toBeUndefined();
    expect(resultSetMismatch([{ x: 1 }], [], false)).toMatch(/expected \[\{"x":1\}\], got \[\]/);
    expect(resultSetMismatch([{ x: 1 }], [{ x: "1" }], false)).toBeDefined();
    expect(resultSetMismatch([{ x: 1 }], [{ x: 1, y: 2 }], false)).toBeDefined();
  });

  it("sorts the arrays bound to variables only with sort_bindings", () => {
    const want = [{ x: [1, "a", null, [2]] }];
    const got = [{ x: [[2], "a", 1, null] }];
    expect(resultSetMismatch(want, got, true)).toBeUndefined();
    expect(resultSetMismatch(want, got, false)).toBeDefined();
  });

  it("rejects something that is not a result set", () => {
    expect(resultSetMismatch([], { result: 1 }, false)).toMatch(/malformed/);
  });
});

describe("errorMismatch", () => {
  it("takes the code from opa-wasm's error text, with or without a location", () => {
    expect(
      parseErrorText(
        "test-0.rego:4:5: eval_conflict_error: complete rules must not produce multiple outputs",
      ).code,
    ).toBe("eval_conflict_error");
    expect(parseErrorText("eval_builtin_error: div: divide by zero").code).toBe(
      "eval_builtin_error",
    );
    expect(parseErrorText("something else").code).toBeUndefined();
  });

  it("needs the exact code and the wanted text as a substring, accepting OPA's file:row locations", () => {
    const got = parseErrorText(
      "test-0.rego:4:12: eval_type_error: strings.any_suffix_match: operand 1 must be string",
    );
    expect(
      errorMismatch({ code: "eval_type_error", text: "operand 1 must be string" }, got),
    ).toBeUndefined();
    expect(
      errorMismatch({ text: "test-0.rego:4: eval_type_error: strings.any_suffix_match" }, got),
    ).toBeUndefined();
    expect(errorMismatch({ code: "eval_builtin_error" }, got)).toMatch(
      /expected error code eval_builtin_error, got eval_type_error/,
    );
    expect(errorMismatch({ text: "operand 2" }, got)).toMatch(/expected error containing/);
  });
});
