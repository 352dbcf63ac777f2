import type { Location } from "./syntax/ast.ts";

/** OPA's error codes, so messages read the same as `opa` prints them. */
export type RegoErrorCode =
  | "rego_parse_error"
  | "rego_compile_error"
  | "rego_unsafe_var_error"
  | "rego_recursion_error"
  | "rego_type_error";

export interface RegoIssue {
  code: RegoErrorCode;
  message: string;
  location?: Location;
}

export function formatIssue(issue: RegoIssue): string {
  const where = issue.location
    ? `${issue.location.file}:${issue.location.row}:${issue.location.col}: `
    : "";
  return `${where}${issue.code}: ${issue.message}`;
}

/** Thrown by the parser and the compiler; carries every problem found, each with its location. */
export class RegoError extends Error {
  readonly issues: RegoIssue[];
  constructor(issues: RegoIssue[]) {
    const lines = issues.map(formatIssue);
    super(
      issues.length === 1 ? lines[0] : `${issues.length} errors occurred:\n${lines.join("\n")}`,
    );
    this.name = "RegoError";
    this.issues = issues;
  }
  get code(): RegoErrorCode {
    return this.issues[0]!.code;
  }
}
