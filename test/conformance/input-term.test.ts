import { describe, expect, it } from "vitest";
import { inputTermToJson } from "./input-term.ts";

describe("inputTermToJson", () => {
  it("takes JSON as is and converts constant Rego terms", () => {
    expect(inputTermToJson('{"x": [1, null]}')).toEqual({ json: { x: [1, null] } });
    expect(inputTermToJson('{"a": [1, 2.5], "b": {"c": true}}')).toEqual({
      json: { a: [1, 2.5], b: { c: true } },
    });
    expect(inputTermToJson(`{"k": "v",}`)).toEqual({ json: { k: "v" } });
  });

  it("writes terms with sets as Rego value text", () => {
    expect(inputTermToJson('{"s": {1, 2}, "e": set(), "a": [{"x"}]}')).toEqual({
      regoText: '{"s": {1, 2}, "e": set(), "a": [{"x"}]}',
    });
  });

  it("reports terms it cannot convert", () => {
    expect(inputTermToJson("{1: 2}")).toEqual({
      unsupported: "input_term has a non-string object key",
    });
    expect(inputTermToJson("{x | x := 1}")).toMatchObject({
      unsupported: expect.stringMatching(/^input_term contains a /),
    });
  });
});
