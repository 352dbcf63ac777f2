// validateArguments: a tools/call's arguments against the inputSchema its upstream declared,
// in the schema's own dialect, failing closed on schemas that cannot be used.
import { describe, expect, it } from "vitest";
import { MAX_ARGUMENT_ERRORS, validateArguments } from "../../../gateway/policy/arguments.ts";
import {
  cachedValidators,
  MAX_CACHED_VALIDATORS,
  MAX_SCHEMA_CHARS,
} from "../../../rego/builtins/host/schema-validators.ts";

const DRAFT_07 = "http://json-schema.org/draft-07/schema#";

// server-filesystem's write_file, as it lists it
const writeFile = {
  type: "object",
  properties: { path: { type: "string" }, content: { type: "string" } },
  required: ["path", "content"],
  $schema: DRAFT_07,
};

describe("validateArguments", () => {
  it("accepts arguments that match the schema", () => {
    expect(validateArguments(writeFile, { path: "/tmp/gatehouse/a", content: "x" })).toEqual({
      valid: true,
      errors: [],
      undeclared: [],
    });
  });

  it("reports a wrong type with the argument's JSON pointer", () => {
    expect(validateArguments(writeFile, { path: "/tmp/gatehouse/a", content: 42 })).toEqual({
      valid: false,
      errors: [{ path: "/content", message: "must be string" }],
      undeclared: [],
    });
  });

  it("reports a missing required argument", () => {
    const check = validateArguments(writeFile, { path: "/tmp/gatehouse/a" });
    expect(check.valid).toBe(false);
    expect(check.errors).toEqual([{ path: "", message: "must have required property 'content'" }]);
  });

  it("names undeclared arguments although the schema does not say additionalProperties: false", () => {
    const check = validateArguments(writeFile, { path: "/a", content: "x", notes: "y" });
    expect(check).toEqual({ valid: true, errors: [], undeclared: ["notes"] });
  });

  it("leaves extra properties to the schema when it decides about them", () => {
    const closed = { ...writeFile, additionalProperties: false };
    expect(validateArguments(closed, { path: "/a", content: "x", notes: "y" })).toEqual({
      valid: false,
      errors: [{ path: "", message: "must not have the property notes" }],
      undeclared: [],
    });
    const open = { ...writeFile, additionalProperties: true };
    expect(validateArguments(open, { path: "/a", content: "x", notes: "y" }).undeclared).toEqual(
      [],
    );
  });

  it("counts properties declared through allOf, anyOf, local $ref and patternProperties", () => {
    const schema = {
      $defs: { base: { properties: { a: { type: "string" } } } },
      $ref: "#/$defs/base",
      allOf: [{ properties: { b: {} } }],
      anyOf: [{ properties: { c: {} } }, { properties: { d: {} } }],
      patternProperties: { "^x-": {} },
    };
    expect(
      validateArguments(schema, { a: "1", b: 1, c: 1, "x-trace": 1, e: 1 }).undeclared,
    ).toEqual(["e"]);
  });

  it("treats a schema that names no properties as free-form", () => {
    expect(validateArguments({ type: "object" }, { anything: 1 })).toEqual({
      valid: true,
      errors: [],
      undeclared: [],
    });
    // properties: {} names them all: there are none (server-everything's get-env)
    expect(validateArguments({ type: "object", properties: {} }, { x: 1 }).undeclared).toEqual([
      "x",
    ]);
  });

  it("uses the dialect the schema names: 2020-12 by default, draft-07 and 2019-09 on request", () => {
    const tuple2020 = { type: "array", prefixItems: [{ type: "string" }], items: false };
    const args = { pair: ["a", 1] };
    const asArgs = (items: object) => ({ type: "object", properties: { pair: items } });
    // 2020-12: prefixItems + items:false => a second item is invalid
    expect(validateArguments(asArgs(tuple2020), args).valid).toBe(false);
    expect(validateArguments(asArgs(tuple2020), { pair: ["a"] }).valid).toBe(true);
    // draft-07: items as an array is the tuple form
    const tuple07 = {
      ...asArgs({ type: "array", items: [{ type: "string" }, { type: "number" }] }),
    };
    expect(validateArguments({ ...tuple07, $schema: DRAFT_07 }, args).valid).toBe(true);
    expect(validateArguments({ ...tuple07, $schema: DRAFT_07 }, { pair: [1, 1] }).valid).toBe(
      false,
    );
    // without "#" and over https, still draft-07
    expect(
      validateArguments({ ...tuple07, $schema: "https://json-schema.org/draft-07/schema" }, args)
        .valid,
    ).toBe(true);
    const s2019 = {
      $schema: "https://json-schema.org/draft/2019-09/schema",
      type: "object",
      properties: { n: { type: "integer" } },
    };
    expect(validateArguments(s2019, { n: 1.5 }).errors).toEqual([
      { path: "/n", message: "must be integer" },
    ]);
  });

  it("checks formats (ajv-formats)", () => {
    const schema = { type: "object", properties: { data: { type: "string", format: "uri" } } };
    expect(validateArguments(schema, { data: "http://example.com/" }).valid).toBe(true);
    expect(validateArguments(schema, { data: "not a uri" }).errors).toEqual([
      { path: "/data", message: 'must match format "uri"' },
    ]);
  });

  it("fails closed without a schema, or with one that does not compile", () => {
    const none = validateArguments(undefined, {});
    expect(none.valid).toBe(false);
    expect(none.errors[0]!.message).toMatch(/declared no inputSchema/);
    const typo = validateArguments({ type: "object", properties: { a: { type: "strin" } } }, {});
    expect(typo.valid).toBe(false);
    expect(typo.errors[0]!.message).toMatch(
      /^cannot be checked: the upstream's inputSchema is invalid \(/,
    );
    const draft4 = validateArguments({ $schema: "http://json-schema.org/draft-04/schema#" }, {});
    expect(draft4.errors[0]!.message).toMatch(/is not a supported dialect/);
    const remote = validateArguments({ $ref: "https://example.com/schema.json" }, {});
    expect(remote.valid).toBe(false);
    expect(validateArguments("object", {}).valid).toBe(false);
  });

  it("runs an upstream's patterns in linear time, and refuses patterns RE2 cannot run", () => {
    // catastrophic for a backtracking engine: this returns at once with re2js
    const evil = { type: "object", properties: { a: { type: "string", pattern: "^(a+)+$" } } };
    expect(validateArguments(evil, { a: `${"a".repeat(50_000)}!` }).errors).toEqual([
      { path: "/a", message: 'must match pattern "^(a+)+$"' },
    ]);
    // a second pattern is its own (ajv shares compiled patterns between schemas by their text)
    const other = { type: "object", properties: { a: { type: "string", pattern: "^b$" } } };
    expect(validateArguments(other, { a: "b" }).valid).toBe(true);
    expect(validateArguments(other, { a: "a" }).valid).toBe(false);
    const lookahead = { type: "object", properties: { a: { type: "string", pattern: "(?=x)" } } };
    const check = validateArguments(lookahead, { a: "x" });
    expect(check.valid).toBe(false);
    expect(check.errors[0]!.message).toMatch(/inputSchema is invalid \(.*unsupported/);
  });

  it("bounds what it compiles: size, depth, and the number of cached validators", () => {
    const huge = { type: "object", description: "x".repeat(MAX_SCHEMA_CHARS) };
    expect(validateArguments(huge, {}).errors[0]!.message).toMatch(/larger than/);
    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 100; i++) deep = { type: "object", properties: { a: deep } };
    expect(validateArguments(deep, {}).errors[0]!.message).toMatch(/nested deeper than/);
    for (let i = 0; i < MAX_CACHED_VALIDATORS + 20; i++)
      validateArguments({ type: "object", title: `t${i}` }, {}, { server: "s", tool: `t${i}` });
    expect(cachedValidators()).toBe(MAX_CACHED_VALIDATORS);
  });

  it("compiles schemas of different upstreams that reuse one $id", () => {
    const a = {
      $id: "https://schemas.example.com/args.json",
      type: "object",
      properties: { a: { type: "string" } },
    };
    const b = {
      $id: "https://schemas.example.com/args.json",
      type: "object",
      properties: { b: { type: "number" } },
    };
    expect(validateArguments(a, { a: "x" }, { server: "one", tool: "t" }).valid).toBe(true);
    expect(validateArguments(b, { b: 1 }, { server: "two", tool: "t" }).valid).toBe(true);
    expect(validateArguments(b, { b: "x" }, { server: "two", tool: "t" }).valid).toBe(false);
  });

  it("bounds the errors and the undeclared names it reports", () => {
    const anyOf = {
      type: "object",
      properties: { a: { anyOf: Array.from({ length: 30 }, () => ({ type: "number" })) } },
    };
    expect(validateArguments(anyOf, { a: "x" }).errors.length).toBeLessThanOrEqual(
      MAX_ARGUMENT_ERRORS,
    );
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`x${i}`, 1]));
    expect(validateArguments({ properties: {} }, many).undeclared).toHaveLength(32);
  });

  it("never changes the arguments (no defaults filled in, no coercion)", () => {
    const schema = {
      type: "object",
      properties: { n: { type: "number", default: 3 }, s: { type: "string" } },
    };
    const args = { s: "1" };
    validateArguments(schema, args);
    expect(args).toEqual({ s: "1" });
  });
});
