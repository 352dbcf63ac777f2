// How the CLI reports a failed command on stderr: messages only, never a stack trace.
import { RegoError, formatIssue } from "../rego/errors.ts";

/** A problem the user can fix (bad path, bad option); its message is printed as is. */
export class CliError extends Error {
  override name = "CliError";
}

export function failureLines(e: unknown): string[] {
  if (e instanceof RegoError) return e.issues.map(formatIssue);
  if (typeof e === "string") return [e]; // opa-wasm throws evaluation errors as strings
  if (e instanceof Error) return [e.message];
  if (e !== null && typeof e === "object" && "message" in e) return [String(e.message)];
  return [String(e)];
}

export function printFailure(e: unknown): void {
  for (const line of failureLines(e)) process.stderr.write(`${line}\n`);
}
