// The planner: lowers the compiler's output (rego/compile/types.ts) to the IR (./ir.ts).
// Each query becomes a Plan (plan index = entrypoint id); the rule groups reachable from the
// queries become Funcs, planned once per `with` context they are called in.
import type { CompiledPolicy, CompiledQuery } from "../compile/types.ts";
import { BodyPlanner, local } from "./body-planner.ts";
import { planGroupFunc } from "./groups.ts";
import type { Func, Plan, Policy } from "./ir.ts";
import { PlanShared } from "./shared.ts";

export { PlanError } from "./shared.ts";

export interface PlanOptions {
  /** emit a CoverStmt where each expression starts and where each rule head produces a value */
  coverage?: boolean;
}

export function planPolicy(
  policy: CompiledPolicy,
  queries: { name: string; query: CompiledQuery }[],
  options: PlanOptions = {},
): Policy {
  const shared = new PlanShared(
    policy.groups,
    policy.files,
    options.coverage ?? false,
    policy.packages,
  );
  const plans = queries.map(({ name, query }) => planQuery(shared, name, query));
  const funcs: Func[] = [];
  for (let pending = shared.funcs.next(); pending; pending = shared.funcs.next()) {
    funcs.push(planGroupFunc(shared, pending));
  }
  return { static: shared.statics.toStatic(), plans: { plans }, funcs: { funcs } };
}

/** The query's body; per solution, a binding object {var: value} added to the result set. */
function planQuery(shared: PlanShared, name: string, query: CompiledQuery): Plan {
  const p = new BodyPlanner(shared, shared.contexts.root, [], 2);
  const block = p.block(() =>
    p.planBody(query.body, () => {
      p.setLocation(undefined);
      const bindings = p.newLocal();
      p.emit({ type: "MakeObjectStmt", target: bindings });
      for (const v of query.vars) {
        if (!p.isBound(v)) continue;
        p.emit({
          type: "ObjectInsertStmt",
          object: bindings,
          key: p.str(v),
          value: local(p.localOfVar(v)),
        });
      }
      p.emit({ type: "ResultSetAddStmt", value: bindings });
    }),
  );
  return { name, blocks: [block] };
}
