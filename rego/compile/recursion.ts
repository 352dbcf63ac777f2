// Recursion check: a rule group may not depend on itself through refs into `data` or calls.
import type { Term } from "../syntax/ast.ts";
import type { CompiledRule, Expr, RuleGroup } from "./types.ts";
import type { IssueList } from "./issues.ts";
import { compiledBody, pathText } from "./terms.ts";

export function checkRecursion(groups: RuleGroup[], issues: IssueList): void {
  const deps = groups.map((g) => dependencies(g, groups));
  groups.forEach((group, i) => {
    const cycle = shortestCycle(i, deps);
    if (!cycle) return;
    const first = group.rules[0] ?? group.default!;
    const trail = cycle.map((j) => pathText(groups[j]!.path)).join(" -> ");
    issues.add(
      "rego_recursion_error",
      first.loc,
      `rule ${pathText(group.path)} is recursive: ${trail}`,
    );
  });
}

const ANY = Symbol("any");
/** A ref operand: a constant path segment, a constant that names no rule (null), or a var. */
type Segment = string | null | typeof ANY;

function segmentOf(t: Term): Segment {
  if (t.type === "string") return t.value;
  if (t.type === "var" || t.type === "ref" || t.type === "call") return ANY;
  return t.type === "number" || t.type === "boolean" || t.type === "null" ? null : ANY;
}

/** Indices of the groups whose values one group reads. */
function dependencies(group: RuleGroup, groups: RuleGroup[]): Set<number> {
  const found = new Set<number>();
  const visitDataRef = (operands: Segment[]) => {
    groups.forEach((g, i) => {
      const n = Math.min(g.path.length, operands.length);
      let match = true;
      for (let k = 0; k < n && match; k++) {
        const op = operands[k];
        match = op === ANY || op === g.path[k];
      }
      if (match) found.add(i);
    });
  };
  const visitTerm = (t: Term): void => {
    switch (t.type) {
      case "ref": {
        const head = t.terms[0];
        if (head?.type === "var" && head.name === "data") {
          visitDataRef(t.terms.slice(1).map(segmentOf));
        }
        t.terms.forEach(visitTerm);
        return;
      }
      case "array":
      case "set":
        t.items.forEach(visitTerm);
        return;
      case "object":
        t.items.forEach(([k, v]) => (visitTerm(k), visitTerm(v)));
        return;
      case "arraycomprehension":
      case "setcomprehension":
        visitTerm(t.term);
        compiledBody(t).forEach(visitExpr);
        return;
      case "objectcomprehension":
        visitTerm(t.key);
        visitTerm(t.value);
        compiledBody(t).forEach(visitExpr);
        return;
      default:
        return;
    }
  };
  const visitExpr = (e: Expr): void => {
    switch (e.type) {
      case "term":
        visitTerm(e.term);
        return;
      case "call":
        if (e.target.kind === "function") visitDataRef(e.target.path.slice(1));
        e.args.forEach(visitTerm);
        return;
      case "not":
        e.body.forEach(visitExpr);
        return;
      case "with":
        for (const w of e.withs) {
          visitTerm(w.value);
          if (w.valueFunction?.kind === "function") visitDataRef(w.valueFunction.path.slice(1));
        }
        e.body.forEach(visitExpr);
        return;
      case "every":
        visitTerm(e.domain);
        e.body.forEach(visitExpr);
        return;
    }
  };
  const visitRule = (r: CompiledRule): void => {
    for (const t of [...(r.args ?? []), ...(r.keys ?? []), r.key, r.value]) if (t) visitTerm(t);
    r.body.forEach(visitExpr);
    if (r.else) visitRule(r.else);
  };
  group.rules.forEach(visitRule);
  if (group.default) visitRule(group.default);
  return found;
}

/** The shortest dependency path from `start` back to itself, as group indices (both ends included). */
function shortestCycle(start: number, deps: Set<number>[]): number[] | undefined {
  const previous = new Map<number, number>();
  const queue = [...deps[start]!];
  for (const d of queue) previous.set(d, start);
  while (queue.length > 0) {
    const node = queue.shift()!;
    if (node === start) {
      const path = [start];
      let at = previous.get(start)!;
      while (at !== start) {
        path.unshift(at);
        at = previous.get(at)!;
      }
      return [start, ...path];
    }
    for (const next of deps[node]!) {
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return undefined;
}
