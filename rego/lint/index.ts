// Lint rules over parsed modules (they need not compile). Each finding has a rule id, a severity
// and a location; `gatehouse policy check` prints them as `file:line:col: lint/<rule>: message`.
import type { Module } from "../syntax/ast.ts";
import type { LintContext, LintFinding, LintOptions } from "./types.ts";
import { checkUnused } from "./unused.ts";
import { checkShadowing } from "./shadowing.ts";
import { checkDefaultAllow } from "./default-allow.ts";
import { checkNeverTrue } from "./never-true.ts";

export type { LintFinding, LintOptions, Severity } from "./types.ts";

/** Every rule id with what it finds, for documentation and `--format json` consumers. */
export const LINT_RULES: Readonly<Record<string, string>> = {
  "unused-rule": "functions and `_` rules (or, with entrypoints, any rule) nothing refers to",
  "unused-import": "imports the module never uses",
  "shadowed-import": "rules, arguments or local variables named like an import",
  "shadowed-builtin": "rules, arguments or local variables named like a builtin or its namespace",
  "default-allow-true": "`default allow := true` and other fail-open allow defaults",
  "never-true": "bodies holding an expression that is false for every input",
  "self-comparison": "`input.x == input.x`: a value compared with itself",
};

const CHECKS = [checkUnused, checkShadowing, checkDefaultAllow, checkNeverTrue];

export function lintModules(modules: Module[], options: LintOptions = {}): LintFinding[] {
  const findings: LintFinding[] = [];
  const ctx: LintContext = { modules, options, report: (f) => findings.push(f) };
  for (const check of CHECKS) check(ctx);
  return findings.sort(
    (a, b) =>
      a.location.file.localeCompare(b.location.file) ||
      a.location.row - b.location.row ||
      a.location.col - b.location.col,
  );
}
