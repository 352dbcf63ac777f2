// Lowers one rule group (all definitions of one path) to a Func: params [input, data, ...args,
// ...value-mock slots], a return local, one block per rule (chain), a default block, and a return.
import type { CompiledRule, RuleGroup } from "../compile/types.ts";
import type { Term } from "../syntax/ast.ts";
import { BodyPlanner, local, type Cont } from "./body-planner.ts";
import type { Block, Func, Local, Operand } from "./ir.ts";
import { planNodeValue, ruleChildren } from "./data-refs.ts";
import { findNode, mergesChildren } from "./rule-tree.ts";
import type { PendingFunc, PlanShared } from "./shared.ts";

const FUNCTION_CONFLICT = "functions must not produce multiple outputs for same inputs";
const COMPLETE_CONFLICT = "complete rules must not produce multiple outputs";

export function planGroupFunc(shared: PlanShared, { group, ctx, name }: PendingFunc): Func {
  const argCount = group.kind === "function" ? group.arity : 0;
  const argLocals = Array.from({ length: argCount }, (_, i) => 2 + i);
  const slotLocals = Array.from({ length: ctx.slots }, (_, i) => 2 + argCount + i);
  const p = new BodyPlanner(shared, ctx, slotLocals, 2 + argCount + ctx.slots);
  const ret = p.newLocal();
  const blocks = planGroupBlocks(p, group, ret, argLocals);
  blocks.push({ stmts: [{ type: "ReturnLocalStmt", source: ret }] });
  const params = [0, 1, ...argLocals, ...slotLocals];
  const func: Func = {
    name,
    params,
    return: ret,
    blocks,
    path: [name.split(".")[0]!, ...group.path],
  };
  if (params.length === 2) func.memoize = true;
  return func;
}

function planGroupBlocks(
  p: BodyPlanner,
  group: RuleGroup,
  ret: Local,
  argLocals: Local[],
): Block[] {
  /** A rule's top-level block: a fresh var scope, statements positioned at the rule. */
  const ruleBlock = (rule: CompiledRule, fill: Cont): Block => {
    p.resetScope();
    p.setLocation(rule.loc);
    return p.block(fill);
  };
  switch (group.kind) {
    case "set":
    case "object": {
      const nested = mergesChildren(group);
      const blocks = [
        p.block(() => p.emit({ type: nested ? "MakeObjectStmt" : "MakeSetStmt", target: ret })),
        ...group.rules.map((rule) =>
          ruleBlock(rule, () =>
            p.planBody(rule.body, () => {
              p.setLocation(rule.loc);
              p.cover();
              const leaf = group.kind === "set" ? rule.key! : valueOf(rule);
              p.planTerms([...(rule.keys ?? []), leaf], (ops) =>
                addToDocument(p, group.kind, ret, ops),
              );
            }),
          ),
        ),
      ];
      if (nested) blocks.push(...childBlocks(p, group, ret));
      return blocks;
    }
    case "complete":
    case "function": {
      const message = group.kind === "function" ? FUNCTION_CONFLICT : COMPLETE_CONFLICT;
      const blocks = group.rules.map((rule) =>
        ruleBlock(rule, () => planChain(p, rule, ret, argLocals, message)),
      );
      const fallback = group.default;
      if (fallback) {
        blocks.push(
          ruleBlock(fallback, () => {
            p.emit({ type: "IsUndefinedStmt", source: ret });
            p.planBody(fallback.body, () => {
              p.setLocation(fallback.loc);
              p.cover();
              p.planTerm(valueOf(fallback), (value) =>
                p.emit({ type: "AssignVarOnceStmt", target: ret, source: value, message }),
              );
            });
          }),
        );
      }
      return blocks;
    }
  }
}

/** A rule and its else chain: each later body runs only when no earlier one produced a value. */
function planChain(
  p: BodyPlanner,
  head: CompiledRule,
  ret: Local,
  argLocals: Local[],
  message: string,
): void {
  const result = p.newLocal();
  p.emit({ type: "ResetLocalStmt", target: result });
  for (
    let rule: CompiledRule | undefined = head, first = true;
    rule;
    rule = rule.else, first = false
  ) {
    const current = rule;
    const isFirst = first;
    p.emitBlocks(() => {
      if (!isFirst) p.emit({ type: "IsUndefinedStmt", source: result });
      unifyArgs(p, current.args ?? head.args ?? [], argLocals, () =>
        p.planBody(current.body, () => {
          p.setLocation(current.loc);
          p.cover();
          p.planTerm(valueOf(current), (value) =>
            p.emit({ type: "AssignVarOnceStmt", target: result, source: value, message }),
          );
        }),
      );
    });
  }
  p.setLocation(head.loc);
  p.emit({ type: "IsDefinedStmt", source: result });
  p.emit({ type: "AssignVarOnceStmt", target: ret, source: local(result), message });
}

function unifyArgs(p: BodyPlanner, args: Term[], params: Local[], k: Cont, from = 0): void {
  if (from === args.length) return k();
  const arg = args[from]!;
  p.unify(arg, p.localTerm(params[from]!, arg.loc), () => unifyArgs(p, args, params, k, from + 1));
}

function valueOf(rule: CompiledRule): Term {
  return rule.value ?? { type: "boolean", value: true, loc: rule.loc };
}

const KEY_CONFLICT = "object keys must be unique";

/**
 * Adds one rule's result: `ops` are the head's keys then the element (sets) or value (objects).
 * Intermediate objects (and leaf sets) are found or made; being fresh, they are filled in place.
 */
function addToDocument(p: BodyPlanner, kind: RuleGroup["kind"], doc: Local, ops: Operand[]): void {
  const keys = ops.slice(0, -1);
  const leaf = ops.at(-1)!;
  if (kind === "set" && keys.length === 0)
    return p.emit({ type: "SetAddStmt", set: doc, value: leaf });
  let target = doc;
  keys.forEach((key, i) => {
    const last = i === keys.length - 1;
    if (last && kind === "object") return;
    target = findOrMake(p, target, key, last ? "MakeSetStmt" : "MakeObjectStmt");
  });
  if (kind === "set") p.emit({ type: "SetAddStmt", set: target, value: leaf });
  else p.emit({ type: "ObjectInsertOnceStmt", object: target, key: keys.at(-1)!, value: leaf });
}

function findOrMake(
  p: BodyPlanner,
  parent: Local,
  key: Operand,
  make: "MakeObjectStmt" | "MakeSetStmt",
): Local {
  const child = p.newLocal();
  p.emit({ type: "ResetLocalStmt", target: child });
  p.emitBlocks(() => p.emit({ type: "DotStmt", source: local(parent), key, target: child }));
  p.emitBlocks(() => {
    p.emit({ type: "IsUndefinedStmt", source: child });
    p.emit({ type: make, target: child });
    p.emit({ type: "ObjectInsertStmt", object: parent, key, value: local(child) });
  });
  p.emit({ type: make === "MakeSetStmt" ? "IsSetStmt" : "IsObjectStmt", source: local(child) });
  return child;
}

/**
 * Rules defined below a ref-head group's path (`p.a.r := 1` next to `p[x].r := ...`) are part of
 * its value: each child document is merged in; the group's own leaves (at the depth of its keys)
 * must not be overwritten with different values or descended into.
 */
function childBlocks(p: BodyPlanner, group: RuleGroup, ret: Local): Block[] {
  const node = findNode(p.shared.tree, group.path);
  if (!node) return [];
  const depth = Math.min(...group.rules.map((r) => r.keys?.length ?? 1));
  const leaf = group.kind === "set" ? "set" : "value";
  return ruleChildren(p, node).map(([key, child]) =>
    p.block(() => {
      p.resetScope();
      if (child.group) p.setLocation(child.group.rules[0]?.loc ?? child.group.default?.loc);
      const value = planNodeValue(p, child);
      mergeInto(p, ret, p.str(key), value, depth, leaf);
    }),
  );
}

function mergeInto(
  p: BodyPlanner,
  parent: Local,
  key: Operand,
  value: Local,
  depth: number,
  leaf: "set" | "value",
): void {
  const existing = p.newLocal();
  p.emit({ type: "ResetLocalStmt", target: existing });
  p.emitBlocks(() => p.emit({ type: "DotStmt", source: local(parent), key, target: existing }));
  const conflictUnless = (type: "IsSetStmt" | "IsObjectStmt", source: Local): void => {
    p.emitBlocks(() => {
      p.emit({ type: "NotStmt", block: p.block(() => p.emit({ type, source: local(source) })) });
      p.emit({ type: "ErrorStmt", code: "eval_conflict_error", message: KEY_CONFLICT });
    });
  };
  p.emitBlocks(
    () => {
      p.emit({ type: "IsUndefinedStmt", source: existing });
      p.emit({ type: "ObjectInsertStmt", object: parent, key, value: local(value) });
    },
    () => {
      p.emit({ type: "IsDefinedStmt", source: existing });
      if (depth === 1 && leaf === "value") {
        p.emit({ type: "ObjectInsertOnceStmt", object: parent, key, value: local(value) });
        return;
      }
      const type = depth === 1 ? "IsSetStmt" : "IsObjectStmt";
      conflictUnless(type, value);
      conflictUnless(type, existing);
      const k = p.newLocal();
      const v = p.newLocal();
      const body = p.block(() => {
        if (depth === 1) p.emit({ type: "SetAddStmt", set: existing, value: local(v) });
        else mergeInto(p, existing, local(k), v, depth - 1, leaf);
      });
      p.emit({ type: "ScanStmt", source: value, key: k, value: v, block: body });
    },
  );
}
