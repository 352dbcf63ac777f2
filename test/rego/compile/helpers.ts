// Shared helpers for the compiler tests: compile Rego source, render results as text.
import { expect } from "vitest";
import { parseModule, parseQuery } from "../../../rego/syntax/index.ts";
import { compileModules, compileQuery } from "../../../rego/compile/index.ts";
import { bodyText, ruleText } from "../../../rego/compile/text.ts";
import type { CompiledPolicy, RuleGroup } from "../../../rego/compile/types.ts";
import { RegoError, type RegoIssue } from "../../../rego/errors.ts";

/** Compiles sources named a.rego, b.rego, ... in order. */
export function compile(...sources: string[]): CompiledPolicy {
  return compileModules(sources.map((s, i) => parseModule(s, fileName(i))));
}

export function fileName(i: number): string {
  return `${String.fromCharCode(97 + i)}.rego`;
}

export function group(policy: CompiledPolicy, path: string): RuleGroup {
  const found = policy.groups.find((g) => g.path.join(".") === path);
  if (!found)
    throw new Error(`no group ${path} in ${policy.groups.map((g) => g.path.join(".")).join(", ")}`);
  return found;
}

/** The rules of one group as text (see rego/compile/text.ts). */
export function rulesOf(policy: CompiledPolicy, path: string): string[] {
  return group(policy, path).rules.map(ruleText);
}

export function query(source: string, policy: CompiledPolicy = compile("package empty")) {
  const q = compileQuery(parseQuery(source), policy);
  return { body: bodyText(q.body), vars: q.vars };
}

/** The issues of the RegoError that compiling throws. */
export function issuesOf(compileIt: () => unknown): RegoIssue[] {
  try {
    compileIt();
  } catch (e) {
    expect(e).toBeInstanceOf(RegoError);
    return (e as RegoError).issues;
  }
  throw new Error("expected a RegoError, but compilation succeeded");
}

export function compileIssues(...sources: string[]): RegoIssue[] {
  return issuesOf(() => compile(...sources));
}

/** `code file:row:col message` of each issue, for compact assertions. */
export function issueLines(issues: RegoIssue[]): string[] {
  return issues.map((i) => {
    const l = i.location;
    return `${i.code} ${l ? `${l.file}:${l.row}:${l.col}` : "-"} ${i.message}`;
  });
}
