// What a lint rule reports. Severity `error` fails `gatehouse policy check`; `warning` fails it
// only with --strict.
import type { Location, Module } from "../syntax/ast.ts";

export type Severity = "error" | "warning";

export interface LintFinding {
  /** rule id without the `lint/` prefix, e.g. `unused-rule` */
  rule: string;
  severity: Severity;
  location: Location;
  message: string;
}

export interface LintOptions {
  /**
   * Rule paths the policy is queried through (slash separated without `data`, e.g.
   * `gatehouse/decision`). When given, every rule outside them that no other rule references is
   * unused; when not, only functions and `_`-prefixed rules can be (see unused.ts).
   */
  entrypoints?: string[];
}

export interface LintContext {
  modules: Module[];
  options: LintOptions;
  report(finding: LintFinding): void;
}
