// Small helpers for writing IR policies by hand in the code generator's tests.
import type {
  Block,
  BuiltinFunc,
  Func,
  Local,
  Operand,
  Plan,
  Policy,
  Stmt,
} from "../../../rego/plan/ir.ts";

export const INPUT: Local = 0;
export const DATA: Local = 1;

export class IrBuilder {
  private readonly strings: string[] = [];
  readonly funcs: Func[] = [];
  readonly plans: Plan[] = [];
  readonly builtins: BuiltinFunc[] = [];

  constructor(readonly files: string[] = ["policy.rego"]) {}

  /** A string constant operand. */
  str(text: string): Operand {
    let i = this.strings.indexOf(text);
    if (i < 0) i = this.strings.push(text) - 1;
    return { type: "string_index", value: i };
  }

  stringIndex(text: string): number {
    return (this.str(text) as { value: number }).value;
  }

  func(f: Func): this {
    this.funcs.push(f);
    return this;
  }

  /** A plan binding `result` to the value of `value` computed by `stmts`. */
  resultPlan(name: string, stmts: Stmt[], value: Local): this {
    const obj = 1000;
    this.plans.push({
      name,
      blocks: [
        {
          stmts: [
            ...stmts,
            { type: "MakeObjectStmt", target: obj },
            { type: "ObjectInsertStmt", object: obj, key: this.str("result"), value: local(value) },
            { type: "ResultSetAddStmt", value: obj },
          ],
        },
      ],
    });
    return this;
  }

  plan(p: Plan): this {
    this.plans.push(p);
    return this;
  }

  builtin(name: string, arity: number): this {
    this.builtins.push({ name, arity });
    this.builtins.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return this;
  }

  build(): Policy {
    return {
      static: {
        strings: this.strings.map((value) => ({ value })),
        builtin_funcs: this.builtins,
        files: this.files.map((value) => ({ value })),
      },
      plans: { plans: this.plans },
      funcs: { funcs: this.funcs },
    };
  }
}

export const local = (value: Local): Operand => ({ type: "local", value });
export const bool = (value: boolean): Operand => ({ type: "bool", value });
export const block = (...stmts: Stmt[]): Block => ({ stmts });

/** `CallStmt` of an IR function with (input, data, ...args). */
export const callFunc = (func: string, result: Local, ...args: Operand[]): Stmt => ({
  type: "CallStmt",
  func,
  args: [local(INPUT), local(DATA), ...args],
  result,
});

/** A rule function `name` (params input, data; return local 2) made of `blocks`, memoised. */
export function rule(name: string, blocks: Block[], memoize = true): Func {
  const path = name.split(".").filter((_, i) => i !== 1);
  return {
    name,
    params: [INPUT, DATA],
    return: 2,
    path,
    memoize,
    blocks: [...blocks, block({ type: "ReturnLocalStmt", source: 2 })],
  };
}
