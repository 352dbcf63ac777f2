import { describe, expect, it } from "vitest";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { buildWasm } from "../../../rego/wasm/index.ts";
import type { Policy, Stmt } from "../../../rego/plan/ir.ts";
import { block, bool, callFunc, DATA, INPUT, IrBuilder, local, rule } from "./codegen-ir.ts";

function build(ir: Policy, strictBuiltinErrors = false): Uint8Array<ArrayBuffer> {
  return buildWasm(ir, { strictBuiltinErrors }) as Uint8Array<ArrayBuffer>;
}

async function load(
  ir: Policy,
  memory?: number | WebAssembly.MemoryDescriptor,
  custom?: Record<string, Function>,
) {
  return loadPolicy(build(ir), memory, custom);
}

/** `default allow := false; allow if input.user == "admin"` */
function completeRuleWithDefault(): Policy {
  const b = new IrBuilder();
  b.func(
    rule("g0.data.test.allow", [
      block(
        { type: "ResetLocalStmt", target: 3 },
        { type: "DotStmt", source: local(INPUT), key: b.str("user"), target: 4 },
        { type: "EqualStmt", a: local(4), b: b.str("admin") },
        { type: "AssignVarOnceStmt", target: 3, source: bool(true) },
      ),
      block(
        { type: "IsDefinedStmt", source: 3 },
        { type: "AssignVarOnceStmt", target: 2, source: local(3) },
      ),
      block(
        { type: "IsUndefinedStmt", source: 2 },
        { type: "AssignVarOnceStmt", target: 2, source: bool(false) },
      ),
    ]),
  );
  b.resultPlan("test/allow", [callFunc("g0.data.test.allow", 5)], 5);
  return b.build();
}

/** `names contains u.name if some u in input.users; u.admin == true` */
function partialSetOverInput(): Policy {
  const b = new IrBuilder();
  b.func(
    rule("g0.data.test.names", [
      block({ type: "MakeSetStmt", target: 2 }),
      block(
        { type: "DotStmt", source: local(INPUT), key: b.str("users"), target: 3 },
        {
          type: "ScanStmt",
          source: 3,
          key: 4,
          value: 5,
          block: block(
            { type: "DotStmt", source: local(5), key: b.str("admin"), target: 6 },
            { type: "EqualStmt", a: local(6), b: bool(true) },
            { type: "DotStmt", source: local(5), key: b.str("name"), target: 7 },
            { type: "SetAddStmt", set: 2, value: local(7) },
          ),
        },
      ),
    ]),
  );
  b.resultPlan("test/names", [callFunc("g0.data.test.names", 5)], 5);
  return b.build();
}

/** `x := input.x` (memoised), read before, inside and after `with input.x as "overridden"`. */
function withAndMemo(): Policy {
  const b = new IrBuilder();
  b.func(
    rule("g0.data.test.x", [
      block(
        { type: "DotStmt", source: local(INPUT), key: b.str("x"), target: 3 },
        { type: "AssignVarOnceStmt", target: 2, source: local(3) },
      ),
    ]),
  );
  const before: Stmt[] = [
    { type: "MakeObjectStmt", target: 10 },
    {
      type: "BlockStmt",
      blocks: [block(callFunc("g0.data.test.x", 11), insert(b, 10, "before", 11))],
    },
  ];
  const within: Stmt = {
    type: "WithStmt",
    local: INPUT,
    path: [b.stringIndex("x")],
    value: b.str("overridden"),
    block: block(callFunc("g0.data.test.x", 12), insert(b, 10, "within", 12)),
  };
  const after: Stmt = {
    type: "BlockStmt",
    blocks: [block(callFunc("g0.data.test.x", 13), insert(b, 10, "after", 13))],
  };
  // A break out of a `with` block (index 1 leaves the enclosing block too) must still restore it.
  const breakOut: Stmt = {
    type: "BlockStmt",
    blocks: [
      block({
        type: "WithStmt",
        local: INPUT,
        path: [b.stringIndex("x")],
        value: b.str("broken"),
        block: block(callFunc("g0.data.test.x", 14), { type: "BreakStmt", index: 1 }),
      }),
    ],
  };
  const afterBreak: Stmt = {
    type: "BlockStmt",
    blocks: [block(callFunc("g0.data.test.x", 15), insert(b, 10, "after_break", 15))],
  };
  b.resultPlan("test/with", [...before, within, after, breakOut, afterBreak], 10);
  return b.build();
}

/** What `run` throws (the SDK throws opa_abort messages as bare strings). */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

function insert(b: IrBuilder, object: number, key: string, value: number): Stmt {
  return { type: "ObjectInsertStmt", object, key: b.str(key), value: local(value) };
}

/** `ok if not input.deny` */
function notRule(): Policy {
  const b = new IrBuilder();
  b.func(
    rule("g0.data.test.ok", [
      block(
        {
          type: "NotStmt",
          block: block(
            { type: "DotStmt", source: local(INPUT), key: b.str("deny"), target: 3 },
            { type: "NotEqualStmt", a: local(3), b: bool(false) },
          ),
        },
        { type: "AssignVarOnceStmt", target: 2, source: bool(true) },
      ),
    ]),
  );
  b.resultPlan("test/ok", [callFunc("g0.data.test.ok", 5)], 5);
  return b.build();
}

/** `p := "a" if input.a; p := "b" if input.b` (conflict when both hold), plus a second entrypoint. */
function conflictingRule(): Policy {
  const b = new IrBuilder(["conflict.rego"]);
  const body = (key: string): Stmt[] => [
    { type: "ResetLocalStmt", target: 3 },
    { type: "DotStmt", source: local(INPUT), key: b.str(key), target: 4 },
    { type: "AssignVarOnceStmt", target: 3, source: b.str(key) },
  ];
  const commit: Stmt[] = [
    { type: "IsDefinedStmt", source: 3 },
    { type: "AssignVarOnceStmt", target: 2, source: local(3), file: 0, row: 3, col: 1 },
  ];
  b.func(
    rule("g0.data.test.p", [
      block(...body("a")),
      block(...commit),
      block(...body("b")),
      block(...commit),
    ]),
  );
  b.resultPlan("test/p", [callFunc("g0.data.test.p", 5)], 5);
  b.resultPlan("test/q", [{ type: "MakeNumberIntStmt", target: 5, value: 7 }], 5);
  return b.build();
}

describe("buildWasm: IR semantics through the OPA SDK", () => {
  it("evaluates a complete rule with a default", async () => {
    const policy = await load(completeRuleWithDefault());
    expect(policy.evaluate({ user: "admin" })).toEqual([{ result: true }]);
    expect(policy.evaluate({ user: "bob" })).toEqual([{ result: false }]);
    expect(policy.evaluate({})).toEqual([{ result: false }]);
    expect(policy.evaluate({ user: "admin" }, "test/allow")).toEqual([{ result: true }]);
  });

  it("builds a partial set by scanning input (sorted, deduplicated)", async () => {
    const policy = await load(partialSetOverInput());
    const users = [
      { name: "carol", admin: true },
      { name: "bob", admin: false },
      { name: "alice", admin: true },
      { name: "carol", admin: true },
    ];
    expect(policy.evaluate({ users })).toEqual([{ result: ["alice", "carol"] }]);
    expect(policy.evaluate({ users: [] })).toEqual([{ result: [] }]);
    expect(policy.evaluate({ users: "not a collection" })).toEqual([{ result: [] }]);
    expect(policy.evaluate({ users: { u1: { name: "dave", admin: true } } })).toEqual([
      { result: ["dave"] },
    ]);
  });

  it("applies `with` to a copy of input, restores it after the block and keeps memoisation per scope", async () => {
    const policy = await load(withAndMemo());
    expect(policy.evaluate({ x: "original" })).toEqual([
      {
        result: {
          before: "original",
          within: "overridden",
          after: "original",
          after_break: "original",
        },
      },
    ]);
    // undefined input: `with` builds {x: ...} from nothing; the memoised "undefined" is not reused.
    expect(policy.evaluate(undefined)).toEqual([{ result: { within: "overridden" } }]);
  });

  it("evaluates `not`", async () => {
    const policy = await load(notRule());
    expect(policy.evaluate({ deny: true })).toEqual([]);
    expect(policy.evaluate({ deny: false })).toEqual([{ result: true }]);
    expect(policy.evaluate({})).toEqual([{ result: true }]);
  });

  it("raises eval_conflict_error for conflicting complete rules and stays usable", async () => {
    const policy = await load(conflictingRule());
    expect(policy.evaluate({ a: 1 })).toEqual([{ result: "a" }]);
    expect(thrown(() => policy.evaluate({ a: 1, b: 1 }))).toBe(
      "conflict.rego:3:1: eval_conflict_error: complete rules must not produce multiple outputs",
    );
    expect(policy.evaluate({ b: 1 })).toEqual([{ result: "b" }]);
    expect(policy.evaluate({}, "test/q")).toEqual([{ result: 7 }]);
  });

  it("raises eval_conflict_error for conflicting object keys", async () => {
    const b = new IrBuilder();
    b.resultPlan(
      "test/obj",
      [
        { type: "MakeObjectStmt", target: 5 },
        { type: "ObjectInsertOnceStmt", object: 5, key: b.str("k"), value: b.str("v") },
        { type: "ObjectInsertOnceStmt", object: 5, key: b.str("k"), value: b.str("v") },
        {
          type: "BlockStmt",
          blocks: [
            block(
              { type: "DotStmt", source: local(INPUT), key: b.str("clash"), target: 6 },
              {
                type: "ObjectInsertOnceStmt",
                object: 5,
                key: b.str("k"),
                value: b.str("w"),
                file: 0,
                row: 9,
                col: 2,
              },
            ),
          ],
        },
      ],
      5,
    );
    const policy = await load(b.build());
    expect(policy.evaluate({})).toEqual([{ result: { k: "v" } }]);
    expect(() => policy.evaluate({ clash: true })).toThrow(
      "policy.rego:9:2: eval_conflict_error: object keys must be unique",
    );
  });

  it("calls host builtins through opa_builtin<N> with the SDK's custom builtins", async () => {
    const b = new IrBuilder();
    b.builtin("hex.encode", 1).builtin("custom.pair", 2);
    b.resultPlan(
      "test/host",
      [
        { type: "DotStmt", source: local(INPUT), key: b.str("s"), target: 3 },
        { type: "CallStmt", func: "hex.encode", args: [local(3)], result: 4 },
        { type: "CallStmt", func: "custom.pair", args: [local(4), b.str("x")], result: 5 },
      ],
      5,
    );
    const ir = b.build();
    const policy = await load(ir, undefined, {
      "hex.encode": (s: string) => Buffer.from(s).toString("hex"),
      "custom.pair": (a: string, c: string) => [a, c],
    });
    expect(policy.evaluate({ s: "hi" })).toEqual([{ result: ["6869", "x"] }]);
    const exports = (policy.wasmInstance as WebAssembly.Instance).exports as Record<
      string,
      Function
    >;
    expect(ir.static.builtin_funcs.map((f) => f.name)).toEqual(["custom.pair", "hex.encode"]);
    const dump = (addr: number) => {
      const mem = new Uint8Array(policy.mem.buffer);
      const at = (exports.opa_json_dump as (v: number) => number)(addr);
      return JSON.parse(new TextDecoder().decode(mem.subarray(at, mem.indexOf(0, at))));
    };
    expect(dump((exports.builtins as () => number)())).toEqual({
      "custom.pair": 0,
      "hex.encode": 1,
    });
  });

  it("resolves CallDynamicStmt against function paths, undefined when nothing matches", async () => {
    const b = new IrBuilder();
    for (const [rule_, value] of [
      ["a", "A"],
      ["b", "B"],
    ] as const) {
      b.func(
        rule(`g0.data.test.${rule_}`, [
          block({ type: "AssignVarStmt", target: 2, source: b.str(value) }),
        ]),
      );
    }
    b.resultPlan(
      "test/dyn",
      [
        { type: "DotStmt", source: local(INPUT), key: b.str("rule"), target: 3 },
        {
          type: "CallDynamicStmt",
          args: [INPUT, DATA],
          path: [b.str("g0"), b.str("test"), local(3)],
          result: 4,
        },
      ],
      4,
    );
    const policy = await load(b.build());
    expect(policy.evaluate({ rule: "a" })).toEqual([{ result: "A" }]);
    expect(policy.evaluate({ rule: "b" })).toEqual([{ result: "B" }]);
    expect(policy.evaluate({ rule: "c" })).toEqual([]);
  });

  it("prefixes errors of native builtins with the call's location (strict builtin errors)", async () => {
    const b = new IrBuilder(["calc.rego"]);
    b.builtin("div", 2);
    b.resultPlan(
      "test/div",
      [
        { type: "DotStmt", source: local(INPUT), key: b.str("d"), target: 3 },
        { type: "MakeNumberIntStmt", target: 4, value: 1 },
        {
          type: "CallStmt",
          func: "div",
          args: [local(4), local(3)],
          result: 5,
          file: 0,
          row: 4,
          col: 9,
        },
      ],
      5,
    );
    const ir = b.build();
    const strict = await loadPolicy(build(ir, true));
    expect(strict.evaluate({ d: 2 })).toEqual([{ result: 0.5 }]);
    expect(thrown(() => strict.evaluate({ d: 0 }))).toBe(
      "calc.rego:4: eval_builtin_error: div: divide by zero",
    );
    const lax = await load(ir);
    expect(lax.evaluate({ d: 0 })).toEqual([]);
  });

  it("rejects host builtins with more than 4 arguments at build time", () => {
    const b = new IrBuilder();
    b.builtin("custom.five", 5);
    const args = [1, 2, 3, 4, 5].map(() => b.str("a"));
    b.resultPlan("test/five", [{ type: "CallStmt", func: "custom.five", args, result: 3 }], 3);
    expect(() => build(b.build())).toThrow(/too many built-in call arguments: "custom.five"/);
  });

  it("rejects calls of unknown functions at build time", () => {
    const b = new IrBuilder();
    b.resultPlan("test/x", [callFunc("g0.data.test.missing", 3)], 3);
    expect(() => build(b.build())).toThrow(/undefined function/);
  });
});

describe("buildWasm: OPA ABI", () => {
  const expectedExports = [
    "builtins",
    "entrypoints",
    "eval",
    "memory",
    "opa_eval",
    "opa_eval_ctx_get_result",
    "opa_eval_ctx_new",
    "opa_eval_ctx_set_data",
    "opa_eval_ctx_set_entrypoint",
    "opa_eval_ctx_set_input",
    "opa_free",
    "opa_heap_ptr_get",
    "opa_heap_ptr_set",
    "opa_json_dump",
    "opa_json_parse",
    "opa_malloc",
    "opa_value_add_path",
    "opa_value_dump",
    "opa_value_parse",
    "opa_value_remove_path",
    "opa_wasm_abi_minor_version",
    "opa_wasm_abi_version",
  ];

  it("exports OPA's ABI plus the host's limits, and imports only env", () => {
    const exportsOf = (mod: WebAssembly.Module) =>
      WebAssembly.Module.exports(mod)
        .map((e) => e.name)
        .sort();
    const mod = new WebAssembly.Module(build(completeRuleWithDefault()));
    expect(exportsOf(mod)).toEqual(
      [
        ...expectedExports,
        "gatehouse_budget_set",
        "gatehouse_budget_used",
        "gatehouse_text_limit_set",
      ].sort(),
    );
    // unmetered: exactly OPA's ABI, as a module built by `opa build -t wasm`
    const unmetered = buildWasm(completeRuleWithDefault(), {
      strictBuiltinErrors: false,
      meter: false,
    }) as Uint8Array<ArrayBuffer>;
    expect(exportsOf(new WebAssembly.Module(unmetered))).toEqual(expectedExports);
    for (const imp of WebAssembly.Module.imports(mod)) expect(imp.module).toBe("env");
    expect(WebAssembly.Module.imports(mod)).toContainEqual({
      module: "env",
      name: "memory",
      kind: "memory",
    });
  });

  it("reports entrypoints by plan index", async () => {
    const policy = await load(conflictingRule());
    expect(policy.entrypoints).toEqual({ "test/p": 0, "test/q": 1 });
    expect(policy.evaluate({}, 1)).toEqual([{ result: 7 }]);
    expect(() => policy.evaluate({}, 2)).toThrow("internal: illegal entrypoint id");
  });

  it("does not grow the heap across 1,000 evaluations of the same input", async () => {
    const policy = await load(partialSetOverInput());
    const input = {
      users: Array.from({ length: 20 }, (_, i) => ({ name: `u${i}`, admin: i % 2 === 0 })),
    };
    policy.evaluate(input);
    const size = policy.mem.buffer.byteLength;
    for (let i = 0; i < 1000; i++) policy.evaluate(input);
    expect(policy.mem.buffer.byteLength).toBe(size);
    expect(policy.evaluate(input)[0].result).toHaveLength(10);
  });

  it("treats falsy input as undefined input", async () => {
    const policy = await load(notRule());
    for (const input of [0, "", false, null, undefined]) {
      expect(policy.evaluate(input)).toEqual([{ result: true }]);
    }
  });

  // Also guards the placement of policy constants above the runtime's stack/scratch memory:
  // constants placed right after the runtime's data segments were overwritten here.
  it("evaluates 128 KiB inputs 16 times in memory {initial: 2, maximum: 8}", async () => {
    const policy = await load(partialSetOverInput(), { initial: 2, maximum: 8 });
    const pad = "x".repeat(128 * 1024);
    for (let i = 0; i < 16; i++) {
      expect(policy.evaluate({ users: [{ name: "a", admin: true }], pad })).toEqual([
        { result: ["a"] },
      ]);
    }
  });

  it("writes static strings as UTF-8 string values", async () => {
    const b = new IrBuilder();
    b.resultPlan(
      "test/utf8",
      [{ type: "AssignVarStmt", target: 3, source: b.str("héllo ✓ 😀") }],
      3,
    );
    expect((await load(b.build())).evaluate({})).toEqual([{ result: "héllo ✓ 😀" }]);
  });

  it("sets the strict builtin errors option without changing results of defined calls", async () => {
    const strict = await loadPolicy(build(completeRuleWithDefault(), true));
    expect(strict.evaluate({ user: "admin" })).toEqual([{ result: true }]);
  });
});
