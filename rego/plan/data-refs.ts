// References into `data`: resolved against the rule tree at plan time. Rule groups are called,
// paths with rules below them build their virtual document (merged with the base document), and
// var segments over levels with rules branch into one block per rule key plus a scan of the base
// document that skips those keys. Paths with no rules below are plain dots from the data local.
import type { Term } from "../syntax/ast.ts";
import { DATA, local, type BodyPlanner, type ValueCont } from "./body-planner.ts";
import type { Local, Operand } from "./ir.ts";
import { isPrefix, mergesChildren, type RuleNode } from "./rule-tree.ts";

export function planDataRef(p: BodyPlanner, ops: Term[], k: ValueCont): void {
  walk(p, p.shared.tree, ops, 0, [], k);
}

/** Replaced (by `with data...`) in the current context: read from the data document instead. */
function isCovered(p: BodyPlanner, node: RuleNode): boolean {
  const overrides = p.ctx.dataOverrides;
  if (overrides.some((o) => isPrefix(o, node.path))) return true;
  return node.group !== undefined && overrides.some((o) => isPrefix(node.path, o));
}

/** Children that contribute to the virtual document (functions do not). */
export function ruleChildren(p: BodyPlanner, node: RuleNode): [string, RuleNode][] {
  return [...node.children].filter(
    ([, child]) => child.group?.kind !== "function" && !isCovered(p, child),
  );
}

function walk(
  p: BodyPlanner,
  node: RuleNode,
  ops: Term[],
  i: number,
  basePath: Operand[],
  k: ValueCont,
): void {
  if (isCovered(p, node)) return baseRef(p, basePath, ops, i, k);
  if (node.group) {
    if (node.group.kind === "function") return p.emitFail();
    return p.planRefOps(planNodeValue(p, node), ops, k, i);
  }
  if (i === ops.length) return k(local(mergeMaybe(p, baseDoc(p, basePath), virtualDoc(p, node))));
  const children = ruleChildren(p, node);
  if (children.length === 0) return baseRef(p, basePath, ops, i, k);
  const op = ops[i]!;
  if (op.type === "string") {
    const child = node.children.get(op.value);
    if (child && children.some(([key]) => key === op.value)) {
      return walk(p, child, ops, i + 1, [...basePath, p.str(op.value)], k);
    }
    return baseRef(p, basePath, ops, i, k);
  }
  if (op.type !== "var") return baseRef(p, basePath, ops, i, k);
  // A var segment: one alternative per rule key, plus the base document's other keys.
  const bound = p.isBound(op.name);
  const keyLocal = p.localOfVar(op.name);
  const alternatives = children.map(([key, child]) => () => {
    if (bound) {
      p.emit({ type: "EqualStmt", a: local(keyLocal), b: p.str(key) });
      return walk(p, child, ops, i + 1, [...basePath, p.str(key)], k);
    }
    p.emit({ type: "AssignVarStmt", target: keyLocal, source: p.str(key) });
    p.withBound(op.name, () => walk(p, child, ops, i + 1, [...basePath, p.str(key)], k));
  });
  const skipRuleKeys = (): void => {
    for (const [key] of children) {
      p.emit({
        type: "NotStmt",
        block: p.block(() => p.emit({ type: "EqualStmt", a: local(keyLocal), b: p.str(key) })),
      });
    }
  };
  const baseAlternative = (): void => {
    const base = dotPath(p, basePath);
    if (bound) {
      skipRuleKeys();
      return p.planRefOps(base, ops, k, i, true);
    }
    const value = p.newLocal();
    const block = p.block(() => {
      skipRuleKeys();
      p.withBound(op.name, () => p.planRefOps(value, ops, k, i + 1, true));
    });
    p.emit({ type: "ScanStmt", source: base, key: keyLocal, value, block });
  };
  p.emitBlocks(...alternatives, baseAlternative);
}

function dotPath(p: BodyPlanner, path: Operand[]): Local {
  let source = DATA;
  for (const key of path) {
    const target = p.newLocal();
    p.emit({ type: "DotStmt", source: local(source), key, target });
    source = target;
  }
  return source;
}

function baseRef(p: BodyPlanner, basePath: Operand[], ops: Term[], i: number, k: ValueCont): void {
  p.planRefOps(dotPath(p, basePath), ops, k, i, true);
}

/** The base document at `path`, or an unset local when there is none. */
function baseDoc(p: BodyPlanner, path: Operand[]): Local {
  if (path.length === 0) return DATA;
  const result = p.newLocal();
  p.emit({ type: "ResetLocalStmt", target: result });
  p.emitBlocks(() =>
    p.emit({ type: "AssignVarStmt", target: result, source: local(dotPath(p, path)) }),
  );
  return result;
}

/** `b` merged onto `maybe` when `maybe` is set; on a conflict `maybe` wins (as OPA's base documents do). */
function mergeMaybe(p: BodyPlanner, maybe: Local, b: Local): Local {
  const target = p.newLocal();
  const merged = p.newLocal();
  p.emit({ type: "AssignVarStmt", target, source: local(b) });
  p.emitBlocks(() => {
    p.emit({ type: "IsDefinedStmt", source: maybe });
    p.emit({ type: "AssignVarStmt", target, source: local(maybe) });
    p.emit({ type: "ObjectMergeStmt", a: maybe, b, target: merged });
    p.emit({ type: "AssignVarStmt", target, source: local(merged) });
  });
  return target;
}

/** The object of every rule below `node` (always defined; undefined rules are left out). */
export function virtualDoc(p: BodyPlanner, node: RuleNode): Local {
  const target = p.newLocal();
  p.emit({ type: "MakeObjectStmt", target });
  for (const [key, child] of ruleChildren(p, node)) {
    p.emitBlocks(() => {
      const value = planNodeValue(p, child);
      p.emit({ type: "ObjectInsertStmt", object: target, key: p.str(key), value: local(value) });
    });
  }
  return target;
}

/**
 * The value of the document at `node` (a rule group, or a prefix of rule paths). Undefined
 * (ending the current block) when it is a rule that is undefined.
 */
export function planNodeValue(p: BodyPlanner, node: RuleNode): Local {
  if (!node.group) return virtualDoc(p, node);
  const call = (target: Local): void =>
    p.callRule(p.shared.funcs.ensure(node.group!, p.ctx), target);
  if (mergesChildren(node.group) || ruleChildren(p, node).length === 0) {
    const result = p.newLocal();
    call(result);
    return result;
  }
  // Rule groups that cannot hold their children's values themselves: merge both documents.
  const own = p.newLocal();
  p.emit({ type: "ResetLocalStmt", target: own });
  p.emitBlocks(() => {
    const value = p.newLocal();
    call(value);
    p.emit({ type: "AssignVarStmt", target: own, source: local(value) });
  });
  return mergeMaybe(p, own, virtualDoc(p, { ...node, group: undefined }));
}
