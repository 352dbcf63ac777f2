// Host builtins over data: bits, json.patch, urlquery objects, uuid.parse, graphs, templates,
// rand.intn, AWS signing, GraphQL, network refusals.
import { describe, expect, it } from "vitest";
import { hostBuiltins } from "../../../rego/builtins/host/index.ts";
import { call, errorOf, lenient } from "./helpers.ts";

describe("bits", () => {
  it("operates on integers of any size and refuses floats and negative shifts", () => {
    expect(call("bits.and", 7, 9)).toBe(1);
    expect(call("bits.negate", 42)).toBe(-43);
    // 2^60 does not fit a double: the result travels as exact JSON text
    expect(JSON.stringify(call("bits.lsh", 2 ** 40, 20))).toBe("1152921504606846976");
    expect(errorOf("bits.or", 7.2, 1)).toBe(
      "eval_type_error: bits.or: operand 1 must be integer number but got floating-point number",
    );
    expect(errorOf("bits.rsh", 7, -1)).toBe(
      "eval_type_error: bits.rsh: operand 2 must be an unsigned integer number but got a negative integer",
    );
  });
});

describe("json.patch", () => {
  it("applies RFC 6902 patches in order and is undefined when one fails", () => {
    const doc = { a: [1, 2], b: { c: 1 } };
    expect(
      call("json.patch", doc, [
        { op: "add", path: "/a/-", value: 3 },
        { op: "move", from: "/b/c", path: "/d" },
        { op: "test", path: "/d", value: 1 },
      ]),
    ).toEqual({ a: [1, 2, 3], b: {}, d: 1 });
    expect(call("json.patch", doc, [{ op: "remove", path: "/missing" }])).toBeUndefined();
    expect(call("json.patch", [1], [{ op: "test", path: "/01", value: 1 }])).toBeUndefined();
    expect(doc).toEqual({ a: [1, 2], b: { c: 1 } }); // arguments are never changed
  });

  it("treats __proto__ as a plain key", () => {
    const out = call("json.patch", {}, [{ op: "add", path: "/__proto__", value: { polluted: 1 } }]);
    expect(Object.keys(out as object)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("urlquery objects and uuid.parse", () => {
  it("encodes sorted keys with repeated values and decodes to lists", () => {
    expect(call("urlquery.encode_object", { b: ["x y", "z"], a: "1&2" })).toBe("a=1%262&b=x+y&b=z");
    expect(call("urlquery.decode_object", "a=1&b&a=2")).toEqual({ a: ["1", "2"], b: [""] });
    expect(errorOf("urlquery.decode_object", "a=1;b=2")).toMatch(/invalid semicolon separator/);
  });

  it("reads version, variant and the time of version-1 UUIDs", () => {
    expect(call("uuid.parse", "{00000000-0000-4000-8000-000000000000}")).toEqual({
      version: 4,
      variant: "RFC4122",
    });
    expect(call("uuid.parse", "not-a-uuid")).toBeUndefined();
  });
});

describe("graph and template builtins", () => {
  it("reaches nodes through sets or arrays of neighbours", () => {
    const graph = { a: ["b"], b: ["c"], c: [], d: ["a"] };
    expect(call("graph.reachable", graph, ["a"])).toEqual(["a", "b", "c"]);
    expect(call("graph.reachable_paths", graph, ["d"])).toEqual([["d", "a", "b", "c"]]);
  });

  it("renders Go templates with missingkey=error", () => {
    expect(
      call(
        "strings.render_template",
        "{{range $i, $n := .names}}{{if $i}},{{end}}hi {{$n}}{{end}}",
        {
          names: ["a", "b"],
        },
      ),
    ).toBe("hi a,hi b");
    expect(errorOf("strings.render_template", "{{.missing}}", {})).toMatch(
      /map has no entry for key "missing"/,
    );
    expect(errorOf("strings.render_template", '{{template "x"}}', {})).toMatch(/not supported/);
  });
});

describe("rand.intn", () => {
  it("draws once per (seed, n) within an evaluation, and anew in the next one", async () => {
    const fresh = hostBuiltins()["rand.intn"]!;
    const first = fresh("key", 1_000_000);
    for (let i = 0; i < 20; i++) expect(fresh("key", 1_000_000)).toBe(first);
    expect(fresh("key", 0)).toBe(0);
    // the next evaluation (a later task) draws again: 20 draws of 10^6 are not all equal
    const later = new Set<unknown>();
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 0));
      later.add(fresh("key", 1_000_000));
    }
    expect(later.size).toBeGreaterThan(1);
  });
});

describe("providers.aws.sign_req", () => {
  const config = {
    aws_access_key: "AKID",
    aws_secret_access_key: "SECRET",
    aws_service: "s3",
    aws_region: "us-east-1",
  };

  it("adds SigV4 headers and checks its operands as OPA does", () => {
    const signed = call(
      "providers.aws.sign_req",
      { method: "get", url: "https://example.com/a?b=c", headers: { "User-Agent": "x" } },
      config,
      1_451_311_705_000_000_000,
    ) as { headers: Record<string, string> };
    expect(signed.headers["x-amz-date"]).toBe("20151228T140825Z");
    // user-agent is never signed
    expect(signed.headers.Authorization).toMatch(
      /SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=[0-9a-f]{64}$/,
    );
    expect(errorOf("providers.aws.sign_req", {}, config, 0)).toBe(
      'eval_type_error: providers.aws.sign_req: operand 1 missing required request parameters(s): {"method", "url"}',
    );
    expect(errorOf("providers.aws.sign_req", { method: "get", url: "u" }, {}, 0)).toMatch(
      /operand 2 missing required AWS config parameters/,
    );
  });

  it("keeps a __proto__ header as a header", () => {
    const headers = JSON.parse('{"__proto__": "x"}');
    const signed = call(
      "providers.aws.sign_req",
      { method: "get", url: "https://e.com", headers },
      config,
      0,
    ) as { headers: Record<string, string> };
    expect(Object.hasOwn(signed.headers, "__proto__")).toBe(true);
    expect(signed.headers.Authorization).toContain("__proto__;host");
  });
});

describe("graphql", () => {
  const schema = "type Query { hero(id: ID!): Hero } type Hero { name: String }";

  it("parses to gqlparser's AST shape and validates queries against schemas", () => {
    expect(call("graphql.parse_query", "{ hero(id: 1) { name } }")).toEqual({
      Operations: [
        {
          Name: "",
          Operation: "query",
          SelectionSet: [
            {
              Alias: "hero",
              Name: "hero",
              Arguments: [{ Name: "id", Value: { Kind: 1, Raw: "1" } }],
              SelectionSet: [{ Alias: "name", Name: "name" }],
            },
          ],
        },
      ],
    });
    expect(call("graphql.is_valid", "{ hero(id: 1) { name } }", schema)).toBe(true);
    expect(call("graphql.is_valid", "{ hero { name } }", schema)).toBe(false);
    expect(errorOf("graphql.parse_query", "{")).toBe(
      "eval_builtin_error: graphql.parse_query: Expected Name, found <EOF> in GraphQL string at location 1:2",
    );
  });

  it("takes back its own AST objects", () => {
    const q = call("graphql.parse_query", "query Q($i: ID!) { hero(id: $i) { name } }");
    const s = call("graphql.parse_schema", schema);
    expect(call("graphql.is_valid", q, s)).toBe(true);
  });
});

describe("network refusals", () => {
  it("refuses net.lookup_ip_addr: a policy must not reach the network", () => {
    expect(errorOf("net.lookup_ip_addr", "example.com")).toMatch(
      /net.lookup_ip_addr is not available in Gatehouse policies/,
    );
    expect(lenient["net.lookup_ip_addr"]!("example.com")).toBeUndefined();
  });
});

describe("per-evaluation clock and test-only builtins", () => {
  it("reads the clock once per evaluation, as OPA does per query", async () => {
    let ticks = 0n;
    const builtins = hostBuiltins({ now: () => ++ticks });
    const first = builtins["time.now_ns"]!();
    expect(builtins["time.now_ns"]!()).toBe(first);
    await Promise.resolve(); // the evaluation (the current task) is over
    expect(builtins["time.now_ns"]!()).not.toBe(first);
  });

  it("refuses test.sleep unless the host runs tests: it would hold the gateway's event loop", () => {
    expect(errorOf("test.sleep", "10ms")).toBe(
      "eval_builtin_error: test.sleep: test.sleep is only available in policy tests",
    );
    const testing = hostBuiltins({ strictBuiltinErrors: true, testBuiltins: true });
    expect(testing["test.sleep"]!("1ms")).toBeNull();
    expect(() => testing["test.sleep"]!("2s")).toThrow(/sleeps of more than 1000 ms are refused/);
  });
});
