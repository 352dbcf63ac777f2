// The METADATA annotations of all modules, indexed the way OPA looks them up: per rule, per
// document path, per package, and per package prefix (subpackages). Answers what
// rego.metadata.chain() and rego.metadata.rule() return for a rule, and which rules and packages
// are marked `entrypoint: true`.
import { locationText, type Annotations, type Module, type Rule } from "../syntax/ast.ts";
import { annotationValue } from "../syntax/annotation-value.ts";
import type { IssueList } from "./issues.ts";
import { packagePath, pathKey, rulePath } from "./tree.ts";

export interface AnnotationSet {
  /**
   * rego.metadata.chain(): the rule's own blocks (closest first; an entry without annotations if
   * it has none), then the document's, the package's and the subpackages' from nearest to root.
   * `ownBlocks` is false for else branches, which carry no blocks of their own.
   */
  chain(module: Module, rule: Rule, ownBlocks: boolean): unknown[];
  /** rego.metadata.rule(): the rule-scope block closest to the rule, or {} if there is none. */
  ruleMetadata(rule: Rule, ownBlocks: boolean): Record<string, unknown>;
}

/** Indexes every module's annotations; a second package, document or subpackages block for the
 * same path is a rego_type_error, as in OPA. */
export function buildAnnotationSet(modules: Module[], issues: IssueList): AnnotationSet {
  const byPackage = new Map<string, Annotations>();
  // OPA keeps document and subpackages blocks in one tree keyed by path
  const byPath = new Map<string, Annotations>();
  const claim = (index: Map<string, Annotations>, path: string[], a: Annotations) => {
    const key = pathKey(path);
    const earlier = index.get(key);
    if (earlier) {
      issues.add(
        "rego_type_error",
        a.loc,
        `${a.scope} annotation redeclared: ${locationText(earlier.loc)}`,
      );
    } else index.set(key, a);
  };
  for (const module of modules) {
    const pkg = packagePath(module);
    for (const a of module.annotations ?? []) {
      if (a.scope === "package") claim(byPackage, pkg, a);
      else if (a.scope === "subpackages") claim(byPath, pkg, a);
    }
    for (const rule of module.rules) {
      for (const a of rule.annotations ?? []) {
        if (a.scope === "document") claim(byPath, rulePath(pkg, rule).path, a);
      }
    }
  }

  const ruleBlocks = (rule: Rule, ownBlocks: boolean): Annotations[] =>
    ownBlocks
      ? (rule.annotations ?? [])
          .filter((a) => a.scope === "rule")
          .sort((a, b) => b.loc.row - a.loc.row || b.loc.col - a.loc.col)
      : [];

  return {
    chain(module, rule, ownBlocks) {
      const pkg = packagePath(module);
      const path = rulePath(pkg, rule).path;
      const entry = (at: string[], a: Annotations) => ({
        path: at,
        annotations: annotationValue(a),
      });
      const own = ruleBlocks(rule, ownBlocks);
      const links: unknown[] = own.length > 0 ? own.map((a) => entry(path, a)) : [{ path }];
      const document = byPath.get(pathKey(path));
      if (document?.scope === "document") links.push(entry(path, document));
      const packageBlock = byPackage.get(pathKey(pkg));
      if (packageBlock) links.push(entry(pkg, packageBlock));
      for (let n = pkg.length; n > 0; n--) {
        const sub = byPath.get(pathKey(pkg.slice(0, n)));
        if (sub?.scope === "subpackages") links.push(entry(pkg.slice(0, n), sub));
      }
      return links;
    },
    ruleMetadata(rule, ownBlocks) {
      const closest = ruleBlocks(rule, ownBlocks)[0];
      return closest ? annotationValue(closest) : {};
    },
  };
}

/**
 * Entrypoints that METADATA declares (`entrypoint: true` on a rule's document or on a package),
 * as slash-separated paths under data (`a/b/allow`), in source order without repeats.
 */
export function annotatedEntrypoints(modules: Module[]): string[] {
  const out = new Set<string>();
  for (const module of modules) {
    const pkg = packagePath(module);
    for (const a of module.annotations ?? []) {
      if (a.entrypoint && a.scope === "package") out.add(pkg.join("/"));
    }
    for (const rule of module.rules) {
      if (rule.annotations?.some((a) => a.entrypoint && a.scope === "document")) {
        out.add(rulePath(pkg, rule).path.join("/"));
      }
    }
  }
  return [...out];
}
