// The pull-request body of a promotion: what moves, the source's test results and coverage, and
// the decisions that would change.
import type { EnvironmentAt, FileChange } from "./snapshot.ts";

export interface TestSummary {
  passed: boolean;
  counts: { PASS: number; FAIL: number; SKIPPED: number; ERROR: number };
  /** line coverage in percent, when the runner reported it */
  coverage?: number;
  /** the runner's pretty output (failures and counts) */
  output: string;
}

export interface BodyParts {
  source: EnvironmentAt;
  target: EnvironmentAt;
  targetBranch: string;
  changes: FileChange[];
  tests: TestSummary;
  /** Markdown from `policy diff`, or why there is none */
  diffMarkdown: string;
}

const LISTED_FILES = 200;

function where(side: EnvironmentAt): string {
  return side.env.kind === "folder" ? `\`${side.env.folder}/\`` : `branch \`${side.env.branch}\``;
}

export function testLine(tests: TestSummary): string {
  const { PASS, FAIL, SKIPPED, ERROR } = tests.counts;
  const total = PASS + FAIL + SKIPPED + ERROR;
  const parts = [`${PASS}/${total} passed`];
  if (FAIL > 0) parts.push(`${FAIL} failed`);
  if (ERROR > 0) parts.push(`${ERROR} errors`);
  if (SKIPPED > 0) parts.push(`${SKIPPED} skipped`);
  const coverage =
    tests.coverage === undefined ? "" : `, line coverage ${tests.coverage.toFixed(2)}%`;
  return `${parts.join(", ")}${coverage}`;
}

export function reviewBody(parts: BodyParts): string {
  const { source, target, changes, tests } = parts;
  const lines = [
    `## Promote \`${source.env.name}\` → \`${target.env.name}\``,
    "",
    `- source: ${where(source)} at \`${source.commit.slice(0, 12)}\` (${source.ref})`,
    `- target: ${where(target)} on \`${parts.targetBranch}\` at \`${target.commit.slice(0, 12)}\``,
    "",
    `### Files (${changes.length})`,
    "",
    ...changes.slice(0, LISTED_FILES).map((c) => `- \`${c.status}\` ${c.path}`),
  ];
  if (changes.length > LISTED_FILES) lines.push(`- … and ${changes.length - LISTED_FILES} more`);
  lines.push(
    "",
    `### Policy tests of \`${source.env.name}\``,
    "",
    testLine(tests),
    "",
    parts.diffMarkdown,
    "_Opened by `gatehouse promote`._",
    "",
  );
  return lines.join("\n");
}
