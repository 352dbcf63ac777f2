// State shared by every Func and Plan being planned for one policy.
import type { RuleGroup } from "../compile/types.ts";
import type { PlanContext } from "./context.ts";
import { ContextTable } from "./context.ts";
import { buildRuleTree, type RuleNode } from "./rule-tree.ts";
import { StaticTables } from "./statics.ts";

export interface PendingFunc {
  group: RuleGroup;
  ctx: PlanContext;
  name: string;
}

/** Names a Func per (rule group, with-context) on first use and queues it for planning. */
export class FuncRegistry {
  private names = new Map<string, string>();
  private taken = new Set<string>();
  private pending: PendingFunc[] = [];

  ensure(group: RuleGroup, ctx: PlanContext): string {
    const key = `${ctx.id}|${JSON.stringify(group.path)}`;
    let name = this.names.get(key);
    if (name === undefined) {
      const base = `g${ctx.id}.data.${group.path.join(".")}`;
      name = base;
      // Keys may contain dots (`p["a.b"]`): keep names unique anyway.
      for (let n = 1; this.taken.has(name); n++) name = `${base}#${n}`;
      this.taken.add(name);
      this.names.set(key, name);
      this.pending.push({ group, ctx, name });
    }
    return name;
  }

  next(): PendingFunc | undefined {
    return this.pending.shift();
  }
}

export class PlanShared {
  readonly statics: StaticTables;
  readonly tree: RuleNode;
  readonly contexts = new ContextTable();
  readonly funcs = new FuncRegistry();

  constructor(
    groups: RuleGroup[],
    files: string[],
    /** plan CoverStmts (see ir.ts) */
    readonly coverage = false,
    packages: string[][] = [],
  ) {
    this.statics = new StaticTables(files);
    this.tree = buildRuleTree(groups, packages);
  }
}

/** A construct the planner cannot lower (the compiler should have rejected or rewritten it). */
export class PlanError extends Error {}
