// Test helper: plan hand-built compiled policies and run them with the IR interpreter.
import type { Expr, RuleGroup } from "../../../rego/compile/types.ts";
import type { Policy } from "../../../rego/plan/ir.ts";
import { planPolicy } from "../../../rego/plan/index.ts";
import { IRInterpreter } from "./ir-interpreter.ts";
import { eq, ref, v } from "./terms.ts";

export function plan(groups: RuleGroup[], body: Expr[], vars: string[]): Policy {
  return planPolicy({ groups, files: ["test.rego"] }, [{ name: "q", query: { body, vars } }]);
}

export function run(
  groups: RuleGroup[],
  body: Expr[],
  vars: string[],
  input?: unknown,
  data?: unknown,
): unknown[] {
  return new IRInterpreter(plan(groups, body, vars)).eval(0, input, data);
}

/** Evaluate `data.<path> = x` and return the result set. */
export function query(
  groups: RuleGroup[],
  path: string,
  input?: unknown,
  data?: unknown,
): unknown[] {
  return run(groups, [eq(ref("data", ...path.split(".")), v("x"))], ["x"], input, data);
}
