// rego.metadata.chain() and rego.metadata.rule() inside a rule become the constants they stand for,
// as OPA's compiler rewrites them: the module never calls the host for them. (In a query, outside
// any rule, they stay calls, and the host refuses them as OPA does.)
import type { Expr, Location, Module, RefTerm, Rule, Term } from "../syntax/ast.ts";
import type { AnnotationSet } from "./annotation-set.ts";

const CHAIN = "rego.metadata.chain";
const RULE = "rego.metadata.rule";

/** The modules with the metadata calls of their rules replaced; unchanged modules stay as they are. */
export function rewriteMetadataCalls(modules: Module[], set: AnnotationSet): Module[] {
  return modules.map((module) => {
    let changed = false;
    const rules = module.rules.map((rule) => {
      const out = rewriteRule(module, rule, set, true);
      if (out !== rule) changed = true;
      return out;
    });
    return changed ? { ...module, rules } : module;
  });
}

function rewriteRule(module: Module, rule: Rule, set: AnnotationSet, ownBlocks: boolean): Rule {
  let chain: unknown;
  let metadata: unknown;
  const valueOf = (name: string): unknown =>
    name === CHAIN
      ? (chain ??= set.chain(module, rule, ownBlocks))
      : (metadata ??= set.ruleMetadata(rule, ownBlocks));
  const { else: elseRule, ...rest } = rule;
  const rewritten = rewriteNode(rest, valueOf) as Rule;
  const elseOut = elseRule ? rewriteRule(module, elseRule, set, false) : undefined;
  if (rewritten === rest && elseOut === elseRule) return rule;
  return elseOut ? { ...rewritten, else: elseOut } : rewritten;
}

function metadataCall(node: Record<string, unknown>): string | undefined {
  if (node.type !== "call" || (node.operator as RefTerm | undefined)?.type !== "ref")
    return undefined;
  const terms = (node.operator as RefTerm).terms;
  const text = terms
    .map((t) => (t.type === "var" ? t.name : t.type === "string" ? t.value : "?"))
    .join(".");
  return text === CHAIN || text === RULE ? text : undefined;
}

/** Returns `node` itself when nothing under it changed, else a copy with the calls replaced. */
function rewriteNode(node: unknown, valueOf: (name: string) => unknown): unknown {
  if (Array.isArray(node)) {
    const items = node.map((x) => rewriteNode(x, valueOf));
    return items.some((x, i) => x !== node[i]) ? items : node;
  }
  if (node === null || typeof node !== "object") return node;
  const record = node as Record<string, unknown>;
  const name = metadataCall(record);
  if (name !== undefined) {
    const replaced = replaceCall(record, constantTerm(valueOf(name), record.loc as Location));
    if (replaced) return replaced;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(record)) {
    if (key === "loc" || key === "annotations") continue;
    const out = rewriteNode(value, valueOf);
    if (out !== value) (copy ??= { ...record })[key] = out;
  }
  return copy ?? node;
}

/** A call term becomes the constant; a call expression `f()` tests it, `f(x)` binds x to it. */
function replaceCall(call: Record<string, unknown>, value: Term): Term | Expr | undefined {
  const args = call.args as Term[];
  const isExpr = "negated" in call;
  if (!isExpr) return args.length === 0 ? value : undefined;
  const expr = call as unknown as Expr;
  if (args.length === 0) {
    return { type: "term", loc: expr.loc, negated: expr.negated, with: expr.with, term: value };
  }
  if (args.length !== 1) return undefined; // the arity check reports it
  const eq: RefTerm = {
    type: "ref",
    loc: expr.loc,
    terms: [{ type: "var", name: "eq", loc: expr.loc }],
  };
  return { ...expr, type: "call", operator: eq, args: [args[0]!, value] };
}

/** JSON data as a constant term. */
function constantTerm(value: unknown, loc: Location): Term {
  if (value === null || value === undefined) return { type: "null", loc };
  if (typeof value === "boolean") return { type: "boolean", value, loc };
  if (typeof value === "number") return { type: "number", value: JSON.stringify(value), loc };
  if (typeof value === "string") return { type: "string", value, loc };
  if (Array.isArray(value))
    return { type: "array", items: value.map((v) => constantTerm(v, loc)), loc };
  return {
    type: "object",
    loc,
    items: Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      { type: "string", value: k, loc },
      constantTerm(v, loc),
    ]),
  };
}
