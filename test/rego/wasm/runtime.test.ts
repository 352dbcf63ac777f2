// The policy runtime on its own: allocator, JSON, ordering, the ABI exports and rt_* calls.
import { beforeAll, describe, expect, it } from "vitest";
import { Aborted, Runtime } from "./runtime-harness.ts";
import abiExports from "../../../rego/wasm/abi-exports.json" with { type: "json" };

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.load();
});

const roundTrip = (json: string) => {
  const v = rt.parse(json);
  return v === 0 ? undefined : rt.dump(v);
};

describe("ABI surface", () => {
  it("exports the ABI version globals and functions", async () => {
    const ex = rt.exports as unknown as Record<string, unknown>;
    expect((ex.opa_wasm_abi_version as WebAssembly.Global).value).toBe(1);
    expect((ex.opa_wasm_abi_minor_version as WebAssembly.Global).value).toBe(2);
    for (const name of [
      ...abiExports.filter((n) => !n.startsWith("opa_wasm_abi") && n !== "memory"),
      "builtin.count",
      "builtin.internal.member_2",
      "rt_memo_get",
      "rt_object_upsert_copy",
    ]) {
      expect(typeof ex[name], name).toBe("function");
    }
  });

  it("has no start function (the SDK instantiates before it can serve callbacks)", async () => {
    const { runtimeBinary } = await import("./runtime-harness.ts");
    const bytes = runtimeBinary();
    const sections: number[] = [];
    let at = 8;
    const leb = () => {
      let result = 0;
      let shift = 0;
      for (;;) {
        const b = bytes[at++]!;
        result |= (b & 0x7f) << shift;
        shift += 7;
        if ((b & 0x80) === 0) return result >>> 0;
      }
    };
    while (at < bytes.length) {
      sections.push(bytes[at++]!);
      const size = leb();
      at += size;
    }
    expect(sections).toContain(10); // code
    expect(sections).not.toContain(8); // start
  });

  it("imports only env.memory, env.opa_abort, env.opa_println and gatehouse.*", async () => {
    const { runtimeBinary } = await import("./runtime-harness.ts");
    const mod = await WebAssembly.compile(runtimeBinary());
    for (const imp of WebAssembly.Module.imports(mod)) {
      expect(
        imp.module === "gatehouse" || ["memory", "opa_abort", "opa_println"].includes(imp.name),
        imp.name,
      ).toBe(true);
    }
    const memory = WebAssembly.Module.imports(mod).find((i) => i.name === "memory");
    expect(memory?.module).toBe("env");
  });

  it("builtins() and entrypoints() parse the gatehouse JSON into values", async () => {
    const r = await Runtime.load({
      builtinsJson: '{"sprintf": 3, "yaml.marshal": 7}',
      entrypointsJson: '{"a/b":0,"c":1}',
    });
    expect(r.dump(r.fn("builtins")())).toBe('{"sprintf":3,"yaml.marshal":7}');
    expect(r.dump(r.fn("entrypoints")())).toBe('{"a/b":0,"c":1}');
  });
});

describe("allocator", () => {
  it("starts at gh_heap_base, aligns to 8 and resets with opa_heap_ptr_set", () => {
    const start = rt.exports.opa_heap_ptr_get();
    expect(start).toBeGreaterThanOrEqual(rt.heapBase);
    const a = rt.exports.opa_malloc(3);
    const b = rt.exports.opa_malloc(5);
    expect(a % 8).toBe(0);
    expect(b).toBe(a + 8);
    rt.exports.opa_heap_ptr_set(a);
    expect(rt.exports.opa_malloc(1)).toBe(a);
  });

  it("uses no memory outside its data segments and the heap (no hidden shadow stack)", () => {
    const failures: number[] = [];
    for (let p = rt.heapBase; p < rt.heapBase + 40000; p += 8) {
      rt.exports.opa_heap_ptr_set(p);
      if (rt.parseValue("true") === 0) failures.push(p);
    }
    rt.exports.opa_heap_ptr_set(rt.heapBase);
    expect(failures).toEqual([]);
  });

  it("grows memory when the heap passes its end", () => {
    const before = rt.memory.buffer.byteLength;
    const p = rt.exports.opa_malloc(before * 2);
    expect(rt.memory.buffer.byteLength).toBeGreaterThanOrEqual(p + before * 2);
    rt.exports.opa_heap_ptr_set(rt.heapBase);
  });

  it("aborts with opa_malloc: failed when memory cannot grow", async () => {
    const r = await Runtime.load({ memory: { initial: 2, maximum: 3 } });
    expect(() => r.exports.opa_malloc(4 * 65536)).toThrow("opa_malloc: failed");
  });
});

describe("JSON", () => {
  it("round-trips documents with sorted object keys", () => {
    expect(roundTrip('{"b": [1, 2, {"z": null, "a": true}], "a": "x", "c": false}')).toBe(
      '{"a":"x","b":[1,2,{"a":true,"z":null}],"c":false}',
    );
    expect(roundTrip(" [ ] ")).toBe("[]");
    expect(roundTrip("{}")).toBe("{}");
  });

  it("decodes escapes, \\u surrogate pairs and raw UTF-8", () => {
    expect(roundTrip('"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t"')).toBe(
      '"a\\"b\\\\c/d\\u0008\\u000c\\n\\r\\t"',
    );
    expect(JSON.parse(roundTrip('"\\u00e9\\ud83d\\ude00\\u4e2d"')!)).toBe("é😀中");
    expect(JSON.parse(roundTrip('"héllo 😀"')!)).toBe("héllo 😀");
    expect(JSON.parse(roundTrip('"\\ud83d"')!)).toBe("\ufffd");
  });

  it("reads numbers: integers exact in i64, others as f64", () => {
    expect(roundTrip("[0, -0, 1, -17, 9007199254740993, -9223372036854775808]")).toBe(
      "[0,0,1,-17,9007199254740993,-9223372036854775808]",
    );
    expect(
      roundTrip(
        "[1.5, -0.25, 1e3, 2.0, 1E-7, 1.7976931348623157e308, 123456789012345678901234567890]",
      ),
    ).toBe("[1.5,-0.25,1000,2,1e-7,1.7976931348623157e+308,123456789012345678901234567890]");
    expect(roundTrip("[0.1, 1e21, 1e20, 5e-324]")).toBe("[0.1,1e+21,100000000000000000000,5e-324]");
    expect(
      roundTrip(
        "[0.30000000000000004, 2.2247649007120212e+47, 1.00000000000000011102230246251565404236316680908203125]",
      ),
    ).toBe("[0.30000000000000004,2.2247649007120212e+47,1]");
  });

  it("parses and prints doubles exactly as JavaScript does", () => {
    // deterministic pseudo-random bit patterns over the whole double range
    let seed = 0x2545f491;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const view = new DataView(new ArrayBuffer(8));
    const xs: number[] = [];
    while (xs.length < 3000) {
      view.setUint32(0, next());
      view.setUint32(4, next());
      const x = view.getFloat64(0);
      if (Number.isFinite(x)) xs.push(x);
    }
    for (let i = 1; i < 500; i++) xs.push(i / 7, i * 0.1, 1 / i);
    const base = rt.exports.opa_heap_ptr_get();
    for (const x of xs) {
      expect(roundTrip(JSON.stringify(x))).toBe(JSON.stringify(x));
      rt.exports.opa_heap_ptr_set(base);
    }
  });

  it("aborts on malformed JSON, saying where, instead of returning 0 (undefined)", () => {
    for (const bad of [
      "",
      "{",
      "[1,]",
      '{"a" 1}',
      "01",
      "1.",
      "-",
      "tru",
      '"abc',
      '"a\nb"',
      "[1] x",
      "{1: 2}",
      "set()",
      "NaN",
    ]) {
      expect(() => rt.parse(bad), bad).toThrow(
        /^opa_json_parse: JSON text is not valid JSON \(byte \d+\)$/,
      );
    }
    expect(() => rt.parse('{"a": [1,]}')).toThrow(
      new Aborted("opa_json_parse: JSON text is not valid JSON (byte 9)"),
    );
  });

  it("opa_value_parse accepts set literals and non-string keys", () => {
    expect(rt.dumpValue(rt.parseValue("{3, 1, 2, 1}"))).toBe("{1,2,3}");
    expect(rt.dumpValue(rt.parseValue("set()"))).toBe("set()");
    expect(rt.dump(rt.parseValue("{3, 1}"))).toBe("[1,3]");
    expect(rt.dump(rt.parseValue('{1: "a", "k": {2, 1}}'))).toBe('{"1":"a","k":[1,2]}');
    expect(rt.dumpValue(rt.parseValue('{1: "a"}'))).toBe('{1:"a"}');
  });
});

describe("ordering and equality", () => {
  const cmp = (a: string, b: string) => rt.fn("rt_compare")(rt.parseValue(a), rt.parseValue(b));
  const eq = (a: string, b: string) => rt.fn("rt_equal")(rt.parseValue(a), rt.parseValue(b));

  it("orders types null < boolean < number < string < array < object < set", () => {
    const ordered = [
      "null",
      "false",
      "true",
      "-1",
      "0.5",
      "1",
      '""',
      '"a"',
      '"b"',
      "[]",
      "[1]",
      "[1,2]",
      "[2]",
      "{}",
      '{"a":1}',
      '{"a":2}',
      '{"b":0}',
      "set()",
      "{1}",
      "{1,2}",
      "{2}",
    ];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect(cmp(ordered[i]!, ordered[j]!), `${ordered[i]} vs ${ordered[j]}`).toBe(
          Math.sign(i - j),
        );
      }
    }
  });

  it("compares integers beyond 64 bits exactly", () => {
    expect(cmp("28857836529306024611913", "28857836529306024611912")).toBe(1);
    expect(eq("28857836529306024611913", "28857836529306024611913")).toBe(1);
    expect(cmp("-28857836529306024611913", "-28857836529306024611912")).toBe(-1);
    expect(cmp("28857836529306024611913", "9223372036854775807")).toBe(1);
    expect(cmp("-28857836529306024611913", "5")).toBe(-1);
    expect(cmp("28857836529306024611913", "1e30")).toBe(-1);
  });

  it("treats 1 and 1.0 as equal; compares strings bytewise", () => {
    expect(eq("1", "1.0")).toBe(1);
    expect(eq('[1, {"a": 2}]', '[1.0, {"a": 2.0}]')).toBe(1);
    expect(eq("1", '"1"')).toBe(0);
    expect(cmp('"Z"', '"a"')).toBe(-1);
    expect(cmp('"é"', '"z"')).toBe(1);
  });

  it("keeps sets and objects canonical and deduplicated", () => {
    expect(rt.dumpValue(rt.parseValue('{"b", 2, null, [1], {"k": 1}, 1.0, 1, true, {3}}'))).toBe(
      '{null,true,1,2,"b",[1],{"k":1},{3}}',
    );
    expect(rt.dump(rt.parse('{"b":1,"a":2,"b":3}'))).toBe('{"a":2,"b":3}');
  });
});

describe("rt_* construction and access", () => {
  it("builds arrays, objects and sets", () => {
    const f = (n: string) => rt.fn(n);
    const arr = f("rt_array_new")(0);
    for (let i = 0; i < 10; i++) f("rt_array_append")(arr, rt.parse(String(i)));
    expect(rt.dump(arr)).toBe("[0,1,2,3,4,5,6,7,8,9]");
    const obj = f("rt_object_new")();
    f("rt_object_insert")(obj, rt.parse('"b"'), rt.parse("1"));
    f("rt_object_insert")(obj, rt.parse('"a"'), rt.parse("2"));
    expect(f("rt_object_insert_once")(obj, rt.parse('"a"'), rt.parse("2.0"))).toBe(0);
    expect(f("rt_object_insert_once")(obj, rt.parse('"a"'), rt.parse("3"))).toBe(1);
    expect(f("rt_object_insert_once")(obj, rt.parse('"c"'), rt.parse("3"))).toBe(0);
    expect(rt.dump(obj)).toBe('{"a":2,"b":1,"c":3}');
    const set = f("rt_set_new")();
    for (const x of ["3", "1", "2", "1"]) f("rt_set_add")(set, rt.parse(x));
    expect(rt.dump(set)).toBe("[1,2,3]");
    expect(f("rt_length")(set)).toBe(3);
    expect(f("rt_length")(rt.parse('"abc"'))).toBe(0);
  });

  it("rt_dot, rt_iter_key/value, rt_type", () => {
    const f = (n: string) => rt.fn(n);
    const doc = rt.parseValue('{"a": [10, 20], "s": {"x"}}');
    const arr = f("rt_dot")(doc, rt.parse('"a"'));
    expect(rt.dump(f("rt_dot")(arr, rt.parse("1")))).toBe("20");
    expect(rt.dump(f("rt_dot")(arr, rt.parse("1.0")))).toBe("20");
    expect(f("rt_dot")(arr, rt.parse("2"))).toBe(0);
    expect(f("rt_dot")(arr, rt.parse("0.5"))).toBe(0);
    expect(f("rt_dot")(doc, rt.parse('"zz"'))).toBe(0);
    expect(rt.dump(f("rt_dot")(f("rt_dot")(doc, rt.parse('"s"')), rt.parse('"x"')))).toBe('"x"');
    expect(rt.dump(f("rt_iter_key")(arr, 1))).toBe("1");
    expect(rt.dump(f("rt_iter_value")(arr, 1))).toBe("20");
    expect(rt.dump(f("rt_iter_key")(doc, 0))).toBe('"a"');
    expect(f("rt_type")(doc)).toBe(6);
    expect(f("rt_type")(0)).toBe(0);
  });

  it("numbers: rt_number_int, rt_number_set_int, rt_number_parse", () => {
    const n = rt.fn("rt_number_int") as unknown as (x: bigint) => number;
    const v = n(41n);
    (rt.fn("rt_number_set_int") as unknown as (v: number, x: bigint) => void)(v, 42n);
    expect(rt.dump(v)).toBe("42");
    const parseNum = (s: string) => rt.dump(rt.fn("rt_number_parse")(rt.parse(JSON.stringify(s))));
    expect(parseNum("12")).toBe("12");
    expect(parseNum("1.25")).toBe("1.25");
    expect(parseNum("1e2")).toBe("100");
    expect(parseNum("99999999999999999999")).toBe("99999999999999999999");
  });

  it("rt_object_merge and rt_object_upsert_copy", () => {
    const f = (n: string) => rt.fn(n);
    const merged = f("rt_object_merge")(
      rt.parse('{"a": {"x": 1}, "b": 1}'),
      rt.parse('{"a": {"y": 2}, "c": 3}'),
    );
    expect(rt.dump(merged)).toBe('{"a":{"x":1,"y":2},"b":1,"c":3}');
    expect(f("rt_object_merge")(rt.parse('{"a": 1}'), rt.parse('{"a": 2}'))).toBe(0);
    expect(rt.dump(f("rt_object_merge")(0, rt.parse("{}")))).toBe("{}");
    const base = rt.parse('{"a": 1}');
    const copy = f("rt_object_upsert_copy")(base, rt.parse('"b"'), rt.parse("2"));
    expect(rt.dump(copy)).toBe('{"a":1,"b":2}');
    expect(rt.dump(base)).toBe('{"a":1}');
    expect(rt.dump(f("rt_object_upsert_copy")(0, rt.parse('"k"'), rt.parse("1")))).toBe('{"k":1}');
  });

  it("memoises per scope and resets per evaluation", async () => {
    const r = await Runtime.load({ memoSlots: 2 });
    const seen: number[][] = [];
    r.options.eval = (rt2) => {
      const get = rt2.fn("rt_memo_get");
      const set = rt2.fn("rt_memo_set");
      const row = [get(0)];
      set(0, 0);
      row.push(get(0));
      const v = rt2.parse("7");
      set(1, v);
      row.push(get(1) === v ? 1 : 0);
      rt2.fn("rt_memo_push")();
      row.push(get(1));
      rt2.fn("rt_memo_pop")();
      row.push(get(1) === v ? 1 : 0);
      seen.push(row);
    };
    r.evaluate(undefined);
    r.evaluate(undefined);
    expect(seen).toEqual([
      [0, 1, 1, 0, 1],
      [0, 1, 1, 0, 1],
    ]);
  });
});

describe("opa_eval", () => {
  it("never evaluates without an input it could not read", async () => {
    const r = await Runtime.load();
    const seen: number[] = [];
    r.options.eval = (_rt, _ep, input) => void seen.push(input);
    const deep = `${"[".repeat(1001)}${"]".repeat(1001)}`;
    expect(() => r.evaluate(deep)).toThrow(
      new Aborted("input nests deeper than 1000 levels (limit 1000)"),
    );
    expect(() => r.evaluate('{"a": 1')).toThrow(
      new Aborted("input is not valid JSON (or Rego value) (byte 7)"),
    );
    r.fn("gatehouse_text_limit_set")(4);
    expect(() => r.evaluate('"abcd"')).toThrow(
      new Aborted("input is 6 bytes long (limit 4 bytes)"),
    );
    r.fn("gatehouse_text_limit_set")(0); // back to the default
    expect(seen).toEqual([]);
    expect(() => r.parseValue(`[${deep}]`)).toThrow(
      new Aborted("opa_value_parse: value text nests deeper than 1000 levels (limit 1000)"),
    );
  });

  it("spends the budget only while evaluating: host calls between evaluations never run out", async () => {
    const r = await Runtime.load({ budget: 1000n });
    let allocate = 0;
    r.options.eval = (rt2) => void rt2.exports.opa_malloc(allocate);
    const used = () => Number((r.fn("gatehouse_budget_used") as () => unknown)());
    r.exports.opa_malloc(1 << 20); // 131,072 units' worth, outside an evaluation
    allocate = 800; // 100 units
    r.evaluate(undefined);
    expect(used()).toBe(100);
    allocate = 1 << 20;
    expect(() => r.evaluate(undefined)).toThrow(
      new Aborted(
        "eval_budget_exceeded: the evaluation used more than its budget of 1000 instructions",
      ),
    );
    expect(used()).toBe(131_072);
    r.exports.opa_malloc(1 << 20);
    (r.fn("gatehouse_budget_set") as unknown as (n: bigint) => void)(200_000n);
    expect(r.evaluate(undefined)).toBe("[]");
    expect(used()).toBe(131_072);
  });

  it("passes undefined input for input_len 0 and the parsed input otherwise", async () => {
    const r = await Runtime.load();
    const inputs: string[] = [];
    r.options.eval = (rt2, _ep, input, _data, rs) => {
      inputs.push(input === 0 ? "undefined" : rt2.dump(input));
      const binding = rt2.parse('{"result": 1}');
      rt2.fn("rt_set_add")(rs, binding);
    };
    expect(r.evaluate(undefined)).toBe('[{"result":1}]');
    expect(r.evaluate('{"user": "ann"}')).toBe('[{"result":1}]');
    expect(inputs).toEqual(["undefined", '{"user":"ann"}']);
  });

  it("sets the heap pointer before allocating so the raw input survives, and reuses memory", async () => {
    const r = await Runtime.load();
    r.options.eval = (rt2, _ep, input, _data, rs) => {
      const b = rt2.fn("rt_object_new")();
      rt2.fn("rt_object_insert")(b, rt2.parse('"result"'), input);
      rt2.fn("rt_set_add")(rs, b);
    };
    const base = r.exports.opa_heap_ptr_get();
    const big = JSON.stringify({
      items: Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `n${i}` })),
    });
    let top = 0;
    for (let i = 0; i < 20; i++) {
      r.exports.opa_heap_ptr_set(base);
      expect(JSON.parse(r.evaluate(big))[0].result.items[1999].name).toBe("n1999");
      const now = r.exports.opa_heap_ptr_get();
      if (i === 0) top = now;
      expect(now).toBe(top);
    }
  });

  it("passes data through, rejects a non-zero reserved argument, and supports the legacy context API", async () => {
    const r = await Runtime.load();
    r.options.eval = (rt2, ep, input, data, rs) => {
      const b = rt2.fn("rt_object_new")();
      rt2.fn("rt_object_insert")(b, rt2.parse('"ep"'), rt2.parse(String(ep)));
      if (input) rt2.fn("rt_object_insert")(b, rt2.parse('"input"'), input);
      if (data) rt2.fn("rt_object_insert")(b, rt2.parse('"data"'), data);
      rt2.fn("rt_set_add")(rs, b);
    };
    const data = r.parse('{"k": [1]}');
    expect(r.evaluate("1", data, 3)).toBe('[{"data":{"k":[1]},"ep":3,"input":1}]');
    expect(() => r.fn("opa_eval")(1, 0, 0, 0, 0, r.exports.opa_heap_ptr_get(), 0)).toThrow(Aborted);
    const ctx = r.fn("opa_eval_ctx_new")();
    r.fn("opa_eval_ctx_set_input")(ctx, r.parse('"x"'));
    r.fn("opa_eval_ctx_set_data")(ctx, data);
    r.fn("opa_eval_ctx_set_entrypoint")(ctx, 2);
    expect(r.fn("eval")(ctx)).toBe(0);
    expect(r.dump(r.fn("opa_eval_ctx_get_result")(ctx))).toBe(
      '[{"data":{"k":[1]},"ep":2,"input":"x"}]',
    );
  });
});

describe("data paths", () => {
  it("opa_value_add_path / opa_value_remove_path patch objects", () => {
    const base = rt.parse('{"a": {"b": 1}}');
    expect(rt.fn("opa_value_add_path")(base, rt.parse('["a", "c", "d"]'), rt.parse("2"))).toBe(0);
    expect(rt.dump(base)).toBe('{"a":{"b":1,"c":{"d":2}}}');
    expect(rt.fn("opa_value_add_path")(base, rt.parse('["a", "b", "x"]'), rt.parse("2"))).toBe(2);
    expect(rt.fn("opa_value_remove_path")(base, rt.parse('["a", "b"]'))).toBe(0);
    expect(rt.dump(base)).toBe('{"a":{"c":{"d":2}}}');
    expect(rt.fn("opa_value_remove_path")(base, rt.parse('["zz"]'))).toBe(3);
  });
});
