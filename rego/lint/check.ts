// `gatehouse policy check`: parse every module (each file's errors, independently), compile them
// together when they all parse, and lint them. Every problem carries a location and a severity.
import type { Location, Module } from "../syntax/ast.ts";
import { parseModule } from "../syntax/index.ts";
import { compileModules } from "../compile/index.ts";
import { RegoError, type RegoIssue } from "../errors.ts";
import { lintModules, type LintOptions, type Severity } from "./index.ts";

export interface CheckProblem {
  /** `rego_parse_error`, `rego_type_error`, ... or `lint/<rule>` */
  code: string;
  severity: Severity;
  location?: Location;
  message: string;
  /** what to do about it */
  hint: string;
}

export interface CheckReport {
  files: number;
  /** false when some file did not parse (compilation and lint need every module) */
  compiled: boolean;
  problems: CheckProblem[];
}

const HINTS: Record<string, string> = {
  rego_parse_error:
    "fix the syntax at the position shown (Rego v1: rule bodies need `if`, multi-value rules `contains`)",
  rego_compile_error:
    "the construct at the position shown is not valid Rego: change it as the message says",
  rego_unsafe_var_error:
    "bind the variable in a positive expression of the same body (x := ..., some x in ...) or make it a function argument",
  rego_type_error:
    "the operand or argument types do not fit: check the values used at the position shown",
  rego_recursion_error: "a rule must not depend on itself, directly or through other rules",
};
const LINT_HINT = "see docs/policy-cli.md#policy-check for the rule and how to fix it";

export function checkSources(
  files: { file: string; source: string }[],
  options: LintOptions = {},
): CheckReport {
  const problems: CheckProblem[] = [];
  const modules: Module[] = [];
  for (const f of files) {
    try {
      modules.push(parseModule(f.source, f.file));
    } catch (e) {
      problems.push(...issuesOf(e, f.file).map(regoProblem));
    }
  }
  const compiled = modules.length === files.length;
  if (compiled) {
    try {
      compileModules(modules);
    } catch (e) {
      problems.push(...issuesOf(e, "").map(regoProblem));
    }
    for (const finding of lintModules(modules, options)) {
      problems.push({
        code: `lint/${finding.rule}`,
        severity: finding.severity,
        location: finding.location,
        message: finding.message,
        hint: LINT_HINT,
      });
    }
  }
  return { files: files.length, compiled, problems };
}

function issuesOf(e: unknown, file: string): RegoIssue[] {
  if (e instanceof RegoError) return e.issues;
  const message = e instanceof Error ? e.message : String(e);
  return [
    { code: "rego_compile_error", message, location: file ? { file, row: 1, col: 1 } : undefined },
  ];
}

function regoProblem(issue: RegoIssue): CheckProblem {
  return {
    code: issue.code,
    severity: "error",
    location: issue.location,
    message: issue.message,
    hint: HINTS[issue.code] ?? "",
  };
}

/** `file:line:col: code: message`, lint findings with their severity before the message. */
export function problemText(p: CheckProblem): string {
  const where = p.location ? `${p.location.file}:${p.location.row}:${p.location.col}: ` : "";
  const severity = p.code.startsWith("lint/") ? `${p.severity}: ` : "";
  return `${where}${p.code}: ${severity}${p.message}`;
}
