// Metering of generated code against the evaluation budget (runtime/assembly/fuel.ts). Each
// function or plan entry and each loop iteration spends its static cost, the number of IR
// statements it runs at most (a loop's body without nested loops, which pay per iteration
// themselves), from the runtime's exported i64 global `rt_fuel`, and calls `rt_budget_exceeded`
// (which aborts) once it goes below zero: a subtraction and a compare per iteration. Rego has no
// recursion, so a policy's work is bounded once its loops are.
import type { Block, Stmt } from "../plan/ir.ts";
import { i64, type Expr } from "./binary/expressions.ts";
import type { ModuleBuilder } from "./binary/module-builder.ts";
import type { RuntimeBinding } from "./runtime-binding.ts";

export const FUEL_GLOBAL_EXPORT = "rt_fuel";
const EXCEEDED_EXPORT = "rt_budget_exceeded";

export class Metering {
  private readonly fuel: string;

  constructor(
    private readonly m: ModuleBuilder,
    private readonly runtime: RuntimeBinding,
  ) {
    this.fuel = runtime.requireExportedGlobal(FUEL_GLOBAL_EXPORT);
  }

  /** `rt_fuel -= cost; if (rt_fuel < 0) rt_budget_exceeded()` */
  charge(cost: number): Expr {
    const m = this.m;
    const fuel = () => m.global.get(this.fuel, i64);
    return m.block(null, [
      m.global.set(this.fuel, m.i64.sub(fuel(), m.i64.const(BigInt(cost)))),
      m.if(
        m.i64.lt_s(fuel(), m.i64.const(0n)),
        m.block(null, [this.runtime.call(EXCEEDED_EXPORT, []), m.unreachable()]),
      ),
    ]);
  }
}

/** Statements the blocks run at most, not counting the bodies of loops (ScanStmt counts as 1). */
export function staticCost(blocks: readonly Block[]): number {
  let cost = 0;
  for (const block of blocks) for (const stmt of block.stmts) cost += 1 + nestedCost(stmt);
  return cost;
}

function nestedCost(stmt: Stmt): number {
  switch (stmt.type) {
    case "BlockStmt":
      return staticCost(stmt.blocks);
    case "NotStmt":
    case "WithStmt":
      return staticCost([stmt.block]);
    default:
      return 0;
  }
}
