// Ground composite terms are planned as MakeConstStmt and built once per module instance (by the
// module's start function), below every heap reset point, and shared by all evaluations.
import { describe, expect, it } from "vitest";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { buildPolicy } from "../../../rego/index.ts";
import type { Block, Stmt } from "../../../rego/plan/ir.ts";

type LoadedPolicy = Awaited<ReturnType<typeof loadPolicy>>;

interface Exports {
  opa_heap_ptr_get(): number;
  opa_eval(
    r: number,
    ep: number,
    data: number,
    input: number,
    len: number,
    heap: number,
    fmt: number,
  ): number;
}

const range = (n: number): string => Array.from({ length: n }, (_, i) => `"item-${i}"`).join(", ");

function allStmts(blocks: Block[]): Stmt[] {
  return blocks.flatMap((b) =>
    b.stmts.flatMap((s): Stmt[] => {
      const nested = [...("blocks" in s ? s.blocks : []), ...("block" in s ? [s.block] : [])];
      return [s, ...allStmts(nested)];
    }),
  );
}

const source = `package c

import rego.v1

methods := {"GET", "HEAD", "OPTIONS"}
known := methods | {"POST", "PUT"}
config := {"levels": ["low", "high"], "tags": {"a", "b"}, "limits": {"n": 1, "x": null, "f": 1.5}}
same_config := {"tags": {"b", "a"}, "levels": ["low", "high"], "limits": {"x": null, "f": 1.5, "n": 1}}
empty := [[], {}, set()]

risky(r) if r in {"write", "destructive"}
is_risky if risky(input.risk)

appended := array.concat(config.levels, [input.risk])
unioned := object.union(config, {"levels": input.risk})
swapped := k if k := known with data.c.methods as {"PATCH"}
swapped_input := i if i := input with input.risk as ["a"]
config_after := config
scheme contains s if some s in ["https://", "http://"]
not_const := [input.risk, "x"]
`;

async function load(src: string, entrypoints: string[]): Promise<LoadedPolicy> {
  return loadPolicy(buildPolicy([{ file: "c.rego", source: src }], { entrypoints }).wasm);
}

describe("ground composite constants", () => {
  it("plans each distinct ground composite once as MakeConstStmt, not the non-ground ones", () => {
    const { ir } = buildPolicy([{ file: "c.rego", source }], { entrypoints: ["c"] });
    const texts = (ir.static.consts ?? []).map((c) => c.value);
    expect(texts).toContain('{"GET","HEAD","OPTIONS"}');
    expect(texts).toContain('["https://","http://"]');
    expect(texts).toContain("[[],{},set()]");
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts.some((t) => t.includes("x") && t.startsWith('["x"'))).toBe(false);
    let planned = 0;
    // no statement fills a planned constant (locals are numbered per plan/function)
    for (const fn of [...ir.plans.plans, ...ir.funcs.funcs]) {
      const stmts = allStmts(fn.blocks);
      const consts = new Set(stmts.flatMap((s) => (s.type === "MakeConstStmt" ? [s.target] : [])));
      planned += consts.size;
      const filled = stmts.flatMap((s) =>
        s.type === "ArrayAppendStmt"
          ? [s.array]
          : s.type === "SetAddStmt"
            ? [s.set]
            : s.type === "ObjectInsertStmt" || s.type === "ObjectInsertOnceStmt"
              ? [s.object]
              : [],
      );
      expect(filled.filter((l) => consts.has(l))).toEqual([]);
    }
    expect(planned).toBeGreaterThanOrEqual(texts.length);
  });

  it("evaluates constants, sets and nested values as before", async () => {
    const policy = await load(source, ["c"]);
    const [{ result }] = policy.evaluate({ risk: "write" }, "c") as [
      { result: Record<string, unknown> },
    ];
    expect(result.known).toEqual(["GET", "HEAD", "OPTIONS", "POST", "PUT"]);
    expect(result.config).toEqual({
      levels: ["low", "high"],
      limits: { f: 1.5, n: 1, x: null },
      tags: ["a", "b"],
    });
    expect(result.same_config).toEqual(result.config);
    expect(result.empty).toEqual([[], {}, []]);
    expect(result.is_risky).toBe(true);
    expect(result.appended).toEqual(["low", "high", "write"]);
    expect(result.unioned).toMatchObject({ levels: "write" });
    expect(result.swapped).toEqual(["PATCH", "POST", "PUT"]);
    expect(result.swapped_input).toEqual({ risk: ["a"] });
    expect(result.scheme).toEqual(["http://", "https://"]);
    expect(result.not_const).toEqual(["write", "x"]);
  });

  it("gives identical results across 1,000 evaluations, after setData and via the legacy API", async () => {
    const policy = await load(source, ["c"]);
    const first = JSON.stringify(policy.evaluate({ risk: "read" }, "c"));
    for (let i = 0; i < 1000; i++) {
      const risk = i % 2 ? "read" : `r${i}`;
      const [{ result }] = policy.evaluate({ risk }, "c") as [{ result: Record<string, unknown> }];
      expect(result.appended).toEqual(["low", "high", risk]);
      if (i % 100 === 0) policy.setData({ filler: "y".repeat(i) });
    }
    expect(JSON.stringify(policy.evaluate({ risk: "read" }, "c"))).toBe(first);
    // the context API (ABI < 1.2) of the SDK
    (policy as unknown as { minorVersion: number }).minorVersion = 1;
    expect(JSON.stringify(policy.evaluate({ risk: "read" }, "c"))).toBe(first);
  });

  it("does not rebuild a constant per evaluation: heap use does not grow with its size", async () => {
    const heapUse = async (n: number): Promise<number> => {
      const src = `package h\n\nimport rego.v1\n\nn := count([${range(n)}]) if input.go\n`;
      const policy = await load(src, ["h/n"]);
      const exports = (policy.wasmInstance as WebAssembly.Instance).exports as unknown as Exports;
      const base = exports.opa_heap_ptr_get();
      const input = new TextEncoder().encode('{"go": true}');
      new Uint8Array(policy.mem.buffer).set(input, base);
      const heap = base + input.length;
      exports.opa_eval(0, 0, policy.dataAddr, base, input.length, heap, 0);
      const used = exports.opa_heap_ptr_get() - heap;
      expect(policy.evaluate({ go: true }, "h/n")).toEqual([{ result: n }]);
      return used;
    };
    const small = await heapUse(2);
    const big = await heapUse(2000);
    expect(big - small).toBeLessThan(64); // the result's digits, not 2,000 elements
  });
});
