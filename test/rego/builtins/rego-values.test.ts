// Host builtins flagged `regoValues` take and give Rego value text (sets, all the digits of
// numbers) instead of the SDK's JSON: the host's reader and printer, and the whole path through a
// compiled module and @open-policy-agent/opa-wasm.
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it } from "vitest";
import { hostBuiltins, type CustomBuiltin } from "../../../rego/builtins/host/index.ts";
import { parseRegoValue } from "../../../rego/builtins/host/rego-value-text.ts";
import { RegoSet, regoText, setOf } from "../../../rego/builtins/host/values.ts";
import { builtins } from "../../../rego/builtins/registry.ts";
import { buildPolicy } from "../../../rego/index.ts";

describe("Rego value text on the host", () => {
  it("reads sets as RegoSets, objects, arrays, strings and scalars", () => {
    const v = parseRegoValue(
      '{"a": {1, "x", [2]}, "b": set(), "c": [null, true, false, "q\\"\\n"]}',
    );
    const o = v as Record<string, unknown>;
    expect(o.a).toBeInstanceOf(RegoSet);
    expect([...(o.a as unknown[])]).toEqual([1, "x", [2]]);
    expect(o.b).toBeInstanceOf(RegoSet);
    expect(o.b).toHaveLength(0);
    expect(o.c).toEqual([null, true, false, 'q"\n']);
    expect(parseRegoValue("{}")).toEqual({});
    expect(parseRegoValue(" [ 1 , {2} ] ")).toEqual([1, setOf([2])]);
  });

  it("keeps the digits of numbers a JS number would change", () => {
    const n = parseRegoValue("[1670006453141828752, 1e400, 0.5, -3]") as unknown[];
    expect(JSON.stringify(n)).toBe("[1670006453141828752,1e400,0.5,-3]");
    expect(regoText(n)).toBe("[1670006453141828752, 1e400, 0.5, -3]");
  });

  it("gives keys that are not strings the text opa_json_dump gives them, and __proto__ no power", () => {
    const o = parseRegoValue('{"__proto__": 1, [1, 2]: "a", 3: "b"}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(o)).toBeNull();
    expect(Object.entries(o).sort()).toEqual([
      ["3", "b"],
      ["[1,2]", "a"],
      ["__proto__", 1],
    ]);
  });

  it("prints sets back as Rego sets, and reads its own printing", () => {
    const value = { s: setOf(["b", "a", ["x"]]), e: new RegoSet(), n: [1, 2] };
    expect(regoText(value)).toBe('{"e": set(), "n": [1, 2], "s": {"a", "b", ["x"]}}');
    expect(parseRegoValue(regoText(value))).toEqual(value);
  });

  it("refuses text that is not a Rego value (a bug in the module, not a builtin error)", () => {
    for (const bad of ["", "{1", "[1,]", "{1: }", '"open', "nul", "1 2", "{1, 2: 3}"]) {
      expect(() => parseRegoValue(bad), bad).toThrow(/not a Rego value/);
    }
  });

  it("reads strings of megabytes (no regular expression recursion)", () => {
    const long = "ab\\n".repeat(2_000_000);
    expect((parseRegoValue(`"${long}"`) as string).length).toBe(6_000_000);
  });

  it("bounds nesting as the runtime's parser does", () => {
    const deep = "[".repeat(1001) + "]".repeat(1001);
    expect(() => parseRegoValue(deep)).toThrow(/nests deeper than 1000 levels/);
    expect(() => parseRegoValue("[".repeat(1000) + "]".repeat(1000))).not.toThrow();
  });
});

/** Evaluates `p` of `source` with the host builtins, plus `overrides` by import name. */
async function evaluate(source: string, overrides: Record<string, CustomBuiltin> = {}) {
  const built = buildPolicy([{ file: "p.rego", source: `package p\n\n${source}` }], {
    entrypoints: ["p"],
    strictBuiltinErrors: true,
  });
  const custom = { ...hostBuiltins({ strictBuiltinErrors: true }), ...overrides };
  const policy = await loadPolicy(built.wasm, undefined, custom);
  const [first] = policy.evaluate({}, "p") as { result: Record<string, unknown> }[];
  return first!.result;
}

describe("regoValues builtins in a compiled module", () => {
  it("are the builtins that read sets or large numbers, or return sets", () => {
    const flagged = [...builtins.values()].filter((b) => b.regoValues).map((b) => b.name);
    expect(flagged.sort()).toEqual(
      [
        "graph.reachable",
        "graph.reachable_paths",
        "internal.print",
        "json.patch",
        "net.cidr_contains_matches",
        "net.cidr_expand",
        "net.cidr_merge",
        "providers.aws.sign_req",
        "time.add_date",
        "time.clock",
        "time.date",
        "time.diff",
        "time.format",
        "time.weekday",
      ].sort(),
    );
    expect([...builtins.values()].every((b) => !b.regoValues || b.placement === "host")).toBe(true);
  });

  it("hand flagged builtins Rego text and read their text back; others keep JSON", async () => {
    const seen: unknown[] = [];
    const result = await evaluate(
      `patched := json.patch({"s": {1, 2}}, [{"op": "add", "path": "/s/3", "value": 3}])
bytes := units.parse_bytes("1KB")`,
      {
        "json.patch": (...args) => {
          seen.push(...args);
          return '{"s": {1, 2, 3}, "t": set()}';
        },
        "units.parse_bytes": (...args) => {
          seen.push(...args);
          return 1000;
        },
      },
    );
    expect(seen).toEqual(['{"s":{1,2}}', '[{"op":"add","path":"/s/3","value":3}]', "1KB"]);
    expect(result).toEqual({ patched: { s: [1, 2, 3], t: [] }, bytes: 1000 });
  });

  it("fails the evaluation when a flagged builtin's host answers something other than text", async () => {
    await expect(
      evaluate(`x := json.patch({}, [])`, { "json.patch": () => ({ not: "text" }) }),
    ).rejects.toThrow(/internal: a host builtin returned something other than Rego value text/);
  });

  it("keeps set results sets, so they compare equal to set literals", async () => {
    const result = await evaluate(`
expand_is_set := net.cidr_expand("10.0.0.0/31") == {"10.0.0.0", "10.0.0.1"}
merge_is_set := net.cidr_merge(["10.0.0.0/25", "10.0.0.128/25"]) == {"10.0.0.0/24"}
reachable_is_set := graph.reachable({"a": {"b"}, "b": {"c"}, "c": set()}, {"a"}) == {"a", "b", "c"}
paths_is_set := graph.reachable_paths({"a": {"b"}, "b": set()}, {"a"}) == {["a", "b"]}
`);
    expect(result).toEqual({
      expand_is_set: true,
      merge_is_set: true,
      reachable_is_set: true,
      paths_is_set: true,
    });
  });

  it("lets json.patch address set members by value and keeps sets sets", async () => {
    const result = await evaluate(`
doc := {"foo": {"a", "b", "c"}, "bar": {[1]}}
removed := json.patch(doc, [{"op": "remove", "path": "foo/b"}])
removed_ok := removed.foo == {"a", "c"}
nested := json.patch(doc, [{"op": "add", "path": ["bar", [1], 1], "value": 2}])
nested_ok := nested.bar == {[1, 2]}
mismatched := json.patch(doc, [{"op": "add", "path": "foo/d", "value": "e"}])
`);
    expect(result).toEqual({
      doc: { foo: ["a", "b", "c"], bar: [[1]] },
      removed: { foo: ["a", "c"], bar: [[1]] },
      removed_ok: true,
      nested: { foo: ["a", "b", "c"], bar: [[1, 2]] },
      nested_ok: true,
    });
  });

  it("keys set elements of net.cidr_contains_matches by the elements themselves", async () => {
    const result = await evaluate(
      `m := net.cidr_contains_matches({["1.1.1.0/24", "x"]}, {"1.1.1.1", "2.2.2.2"})`,
    );
    expect(result).toEqual({ m: [[["1.1.1.0/24", "x"], "1.1.1.1"]] });
  });

  it("hands time builtins nanoseconds beyond 2^53 with all their digits", async () => {
    const result = await evaluate(`t := time.format(1670006453141828752)`);
    expect(result).toEqual({ t: "2022-12-02T18:40:53.141828752Z" });
  });

  it("signs a request body holding a set and returns the set", async () => {
    const result = await evaluate(`
signed := providers.aws.sign_req(
	{"method": "get", "url": "http://example.com", "body": {"example": {1, 2, 3, 4}}},
	{"aws_access_key": "K", "aws_secret_access_key": "S", "aws_service": "s3", "aws_region": "us-east-1"},
	1451311705000000000,
)
body_is_set := signed.body.example == {1, 2, 3, 4}
sha := signed.headers["x-amz-content-sha256"]
`);
    expect(result.body_is_set).toBe(true);
    // SHA-256 of {"example":[1,2,3,4]}, as OPA signs a set: a JSON array
    expect(result.sha).toBe("bacff6243c850423883052ac3c336fd645994442933408dfd3f9e858e69bda07");
  });
});
