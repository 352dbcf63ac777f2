// The runtime's ABI exports are all the npm SDK needs: link a hand-made gh_eval (binding
// {"result": input}, or {"result": 42} when input is undefined) into the runtime and load it with
// the unmodified @open-policy-agent/opa-wasm.
import { describe, expect, it } from "vitest";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { runtimeBinary } from "./runtime-harness.ts";
import { i32, type Expr } from "../../../rego/wasm/binary/expressions.ts";
import { ModuleBuilder } from "../../../rego/wasm/binary/module-builder.ts";
import { runtimeImage } from "../../../rego/wasm/binary/runtime-image.ts";
import { RuntimeBinding } from "../../../rego/wasm/runtime-binding.ts";
import { align, StaticData } from "../../../rego/wasm/static-data.ts";

function linkEchoPolicy(): Uint8Array<ArrayBuffer> {
  const m = new ModuleBuilder(runtimeImage(runtimeBinary()));
  const data = new StaticData(align(m.image.staticEnd, 16));
  const rt = new RuntimeBinding(m);
  const resultKey = data.addStringValue("result");
  const builtins = data.addCString("{}");
  const entrypoints = data.addCString('{"echo":0}');
  // gh_eval(entrypoint, input, data, resultSet); local 4 = binding object
  const evalBody = m.block(null, [
    m.local.set(4, rt.call("rt_object_new", [])),
    rt.callForEffect("rt_object_insert", [
      m.local.get(4, i32),
      m.i32.const(resultKey),
      m.select(
        m.local.get(1, i32),
        m.local.get(1, i32),
        rt.call("rt_number_int", [m.i64.const(42n)]),
      ),
    ]),
    rt.callForEffect("rt_set_add", [m.local.get(3, i32), m.local.get(4, i32)]),
  ]);
  const bodies: Record<string, [Expr, number[]]> = {
    gh_eval: [evalBody, [i32]],
    gh_builtins_json: [m.i32.const(builtins), []],
    gh_entrypoints_json: [m.i32.const(entrypoints), []],
    gh_heap_base: [m.i32.const(data.heapBase), []],
    gh_options: [m.i32.const(0), []],
    gh_memo_slots: [m.i32.const(0), []],
    gh_budget_default: [m.i64.const(0n), []],
  };
  for (const imp of m.functionImports().filter((f) => f.module === "gatehouse")) {
    const [body, vars] = bodies[imp.base]!;
    m.defineImport(imp.name, vars, body);
  }
  return m.write({
    memoryPages: Math.ceil(data.heapBase / 65536),
    data: { offset: data.base, data: data.bytes() },
    keepExport: () => true,
  });
}

describe("runtime under @open-policy-agent/opa-wasm", () => {
  it("evaluates through the SDK's opa_eval fast path", async () => {
    const policy = await loadPolicy(linkEchoPolicy());
    expect(policy.entrypoints).toEqual({ echo: 0 });
    const input = { user: "ann", tags: ["b", "a"], n: 1.5, nested: { é: [null, true] } };
    expect(policy.evaluate(input)).toEqual([{ result: input }]);
    expect(policy.evaluate(undefined)).toEqual([{ result: 42 }]);
    expect(policy.evaluate(input, "echo")).toEqual([{ result: input }]);
  });

  it("keeps memory flat over many evaluations with data set", async () => {
    const policy = await loadPolicy(linkEchoPolicy(), { initial: 2, maximum: 8 });
    policy.setData({ big: "x".repeat(1000) });
    const input = { payload: "y".repeat(128 * 1024) };
    for (let i = 0; i < 16; i++)
      expect(policy.evaluate(input)[0].result.payload.length).toBe(128 * 1024);
    const small = { a: 1 };
    const sizes = new Set<number>();
    for (let i = 0; i < 200; i++) {
      policy.evaluate(small);
      sizes.add((policy as unknown as { mem: WebAssembly.Memory }).mem.buffer.byteLength);
    }
    expect(sizes.size).toBe(1);
  });
});
