// A file that did not parse or compile is one ERROR result: its problems (`file:line:col: code:
// message`, with a hint below an undefined function), then the files whose tests were not run
// because they use it.
import { undefinedFunctionHint } from "../compile/undefined-function-hint.ts";
import { formatIssue, type RegoIssue } from "../errors.ts";
import type { ParsedFile } from "./build.ts";
import { packageSegments } from "./discover.ts";
import { refText } from "./ref-text.ts";
import type { TestResult } from "./types.ts";

/** A file whose tests were not run, and how many there were. */
export interface UserOfBroken {
  file: string;
  tests: number;
}

export function brokenFileResult(
  file: string,
  issues: RegoIssue[],
  parsed: ParsedFile | undefined,
  users: UserOfBroken[],
): TestResult {
  const first = issues[0];
  const lines = issues.flatMap((issue) => {
    const hint = undefinedFunctionHint(issue);
    return hint ? [formatIssue(issue), `  hint: ${hint}`] : [formatIssue(issue)];
  });
  for (const user of users) {
    const tests = user.tests === 1 ? "1 test" : `${user.tests} tests`;
    lines.push(`not run: ${tests} in ${user.file}, which depends on this file`);
  }
  return {
    location: first?.location?.file === file ? first.location : { file, row: 1, col: 1 },
    package: parsed ? refText("data", packageSegments(parsed.module)) : "",
    name: "",
    error: { code: first?.code, message: lines.join("\n") },
    duration: 0,
  };
}
