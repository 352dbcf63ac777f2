// Rego source through the real parser and compiler, then planned and interpreted.
import { describe, expect, it } from "vitest";
import { compileModules, compileQuery } from "../../../rego/compile/index.ts";
import { planPolicy } from "../../../rego/plan/index.ts";
import { parseModule, parseQuery } from "../../../rego/syntax/index.ts";
import { IRInterpreter } from "./ir-interpreter.ts";

function evalRego(source: string, query: string, input?: unknown, data?: unknown): unknown[] {
  const compiled = compileModules([parseModule(source, "policy.rego")]);
  const ir = planPolicy(compiled, [
    { name: "q", query: compileQuery(parseQuery(query), compiled) },
  ]);
  return new IRInterpreter(ir).eval(0, input, data);
}

describe("planning compiled Rego", () => {
  it("replaces nested input and data paths with `with`, including data paths named input", () => {
    const source = `package test
p := [input.x, data.input.y] if true
q := r if r := p with input.x as 1 with data.input.y as 2`;
    expect(evalRego(source, "data.test.q = v", { x: 0 }, { input: { y: 0 } })).toEqual([
      { v: [1, 2] },
    ]);
    expect(evalRego(source, "data.test.p = v", { x: 0 }, { input: { y: 0 } })).toEqual([
      { v: [0, 0] },
    ]);
  });

  it("plans a rule again for each mock context it is reached in", () => {
    const source = `package test
f(_) := 10
q if count([1]) == 10
p if {
  q with count as f
  not q
}`;
    const compiled = compileModules([parseModule(source, "policy.rego")]);
    const ir = planPolicy(compiled, [
      { name: "q", query: compileQuery(parseQuery("data.test.p = v"), compiled) },
    ]);
    expect(new IRInterpreter(ir).eval(0)).toEqual([{ v: true }]);
    const names = ir.funcs.funcs.map((f) => f.name);
    expect(names.filter((n) => n.endsWith(".data.test.q"))).toHaveLength(2);
  });

  it("reports conflicts at the rule's position", () => {
    const source = `package test
p := 1 if true
p := 2 if true`;
    expect(() => evalRego(source, "data.test.p = v")).toThrow(
      "eval_conflict_error: complete rules must not produce multiple outputs",
    );
  });
});
