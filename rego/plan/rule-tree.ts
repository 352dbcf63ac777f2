// The rule tree: every rule group placed at its path under `data`, so refs can be resolved
// segment by segment against rules (virtual documents) and the base document.
import type { RuleGroup } from "../compile/types.ts";

export interface RuleNode {
  path: string[]; // without "data"
  group?: RuleGroup;
  children: Map<string, RuleNode>;
}

/** The tree of the groups' paths and the packages' (a package without rules is the document {}). */
export function buildRuleTree(groups: RuleGroup[], packages: string[][] = []): RuleNode {
  const root: RuleNode = { path: [], children: new Map() };
  const nodeAt = (path: string[]): RuleNode => {
    let node = root;
    for (const key of path) {
      let child = node.children.get(key);
      if (!child) {
        child = { path: [...node.path, key], children: new Map() };
        node.children.set(key, child);
      }
      node = child;
    }
    return node;
  };
  for (const path of packages) nodeAt(path);
  for (const group of groups) nodeAt(group.path).group = group;
  return root;
}

export function findNode(root: RuleNode, path: string[]): RuleNode | undefined {
  let node: RuleNode | undefined = root;
  for (const key of path) node = node?.children.get(key);
  return node;
}

/** Whether replacing `path` in data (via `with`) changes the value of some rule or reads one. */
export function overlapsRules(root: RuleNode, path: string[]): boolean {
  let node: RuleNode | undefined = root;
  for (const key of path) {
    if (node.group) return true;
    node = node.children.get(key);
    if (!node) return false;
  }
  return true;
}

export function isPrefix(prefix: string[], path: string[]): boolean {
  return prefix.length <= path.length && prefix.every((k, i) => path[i] === k);
}

/**
 * Whether a group's Func builds an object that also holds the values of the rules below its path
 * (partial objects and multi-value ref heads such as `p[x].y` or `p[x] contains y`).
 */
export function mergesChildren(group: RuleGroup): boolean {
  return (
    group.kind === "object" ||
    (group.kind === "set" && group.rules.some((r) => (r.keys?.length ?? 0) > 0))
  );
}
