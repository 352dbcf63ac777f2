import { describe, expect, it } from "vitest";
import type { Block, Stmt } from "../../../rego/plan/ir.ts";
import { planPolicy } from "../../../rego/plan/index.ts";
import { plan } from "./run.ts";
import { at, call, eq, fcall, group, n, ref, rule, s, v } from "./terms.ts";

function allStmts(blocks: Block[]): Stmt[] {
  return blocks.flatMap((b) =>
    b.stmts.flatMap((st) => {
      const inner: Block[] =
        st.type === "BlockStmt" ? st.blocks : "block" in st && st.block ? [st.block as Block] : [];
      return [st, ...allStmts(inner)];
    }),
  );
}

describe("IR shape", () => {
  const p = group("test.p", "complete", [
    rule([call("plus", n(1), n(2), v("y")), call("count", ref("input", "a"), v("c"))], {
      value: s("a"),
      loc: at(3),
    }),
  ]);
  const f = group("test.f", "function", [rule([], { args: [v("x")], value: s("a") })], {
    arity: 1,
  });
  const unused = group("test.unused", "complete", [rule([], { value: n(1) })]);

  it("plans reachable groups once, with memoisation for rules only", () => {
    const ir = plan(
      [p, f, unused],
      [
        eq(ref("data", "test", "p"), v("x")),
        fcall("test.f", n(1), v("z")),
        eq(ref("data", "test", "p"), v("w")),
      ],
      ["x"],
    );
    expect(ir.funcs.funcs.map((fn) => [fn.name, fn.params, fn.memoize ?? false])).toEqual([
      ["g0.data.test.p", [0, 1], true],
      ["g0.data.test.f", [0, 1, 2], false],
    ]);
    expect(ir.funcs.funcs[0]!.path).toEqual(["g0", "test", "p"]);
  });

  it("keeps one plan per query in order", () => {
    const ir = planPolicy({ groups: [p], files: ["test.rego"] }, [
      { name: "b", query: { body: [eq(ref("data", "test", "p"), v("x"))], vars: ["x"] } },
      { name: "a", query: { body: [], vars: [] } },
    ]);
    expect(ir.plans.plans.map((pl) => pl.name)).toEqual(["b", "a"]);
  });

  it("deduplicates strings and lists the builtins called, sorted, with arity", () => {
    const ir = plan(
      [p, f],
      [eq(ref("data", "test", "p"), v("x")), fcall("test.f", s("a"), v("z"))],
      ["x"],
    );
    const strings = ir.static.strings.map((x) => x.value);
    expect(new Set(strings).size).toBe(strings.length);
    expect(strings).toContain("a");
    expect(ir.static.builtin_funcs).toEqual([
      { name: "count", arity: 1 },
      { name: "plus", arity: 2 },
    ]);
    expect(ir.static.files).toEqual([{ value: "test.rego" }]);
  });

  it("uses MakeNumberIntStmt for safe integers and MakeNumberRefStmt otherwise", () => {
    const ir = plan(
      [],
      [eq(v("a"), n(7)), eq(v("b"), n("1e400")), eq(v("c"), n("9007199254740993"))],
      ["a", "b", "c"],
    );
    const stmts = allStmts(ir.plans.plans[0]!.blocks);
    expect(stmts.filter((st) => st.type === "MakeNumberIntStmt")).toMatchObject([{ value: 7 }]);
    const refs = stmts.filter((st) => st.type === "MakeNumberRefStmt");
    expect(refs.map((st) => ir.static.strings[(st as { index: number }).index]!.value)).toEqual([
      "1e400",
      "9007199254740993",
    ]);
  });

  it("positions the statements that can raise errors", () => {
    const ir = plan([p], [eq(ref("data", "test", "p"), v("x"))], ["x"]);
    const stmts = allStmts(ir.funcs.funcs[0]!.blocks);
    const risky = stmts.filter((st) => st.type === "AssignVarOnceStmt" || st.type === "CallStmt");
    expect(risky.length).toBeGreaterThanOrEqual(3);
    for (const st of risky) expect(st).toMatchObject({ file: 0, row: expect.any(Number), col: 1 });
    expect(stmts.find((st) => st.type === "AssignVarOnceStmt")).toMatchObject({ row: 3 });
  });
});
