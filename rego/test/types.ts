// What the Rego unit-test runner finds, and what it reports (shaped like `opa test`'s results).
import type { Location } from "../syntax/ast.ts";
import type { CoverageReport } from "./coverage.ts";

/** One `test_` (or skipped `todo_test_`) rule, identified the way `opa test` names it. */
export interface TestCase {
  /** `data.a.b` */
  package: string;
  /** the rule's ref up to the test segment, usually just `test_x` */
  name: string;
  /** slash path of the rule under data, e.g. `a/b/test_x`: the Wasm entrypoint's name */
  entrypoint: string;
  /** Rego ref text of the rule, e.g. `data.a.b.test_x` */
  ref: string;
  file: string;
  row: number;
  col: number;
  skip: boolean;
  /** the head has a variable part after the name (`test_x[note] if ...`): each key is a sub-test */
  hasSubResults: boolean;
}

export interface TestError {
  code?: string;
  message: string;
  location?: Location;
}

export interface SubResult {
  name: string;
  fail?: boolean;
  sub_results?: Record<string, SubResult>;
}

export interface TestResult {
  location: Location | null;
  package: string;
  /** empty for a file that did not compile (the whole file is the result) */
  name: string;
  fail?: boolean;
  error?: TestError;
  skip?: boolean;
  /** nanoseconds spent evaluating */
  duration: number;
  /** print() output */
  output?: string;
  sub_results?: Record<string, SubResult>;
}

export type Outcome = "PASS" | "FAIL" | "SKIPPED" | "ERROR";

export interface TestReport {
  results: TestResult[];
  /** 0 when nothing failed or errored (skipped tests allowed), 1 otherwise */
  exitCode: 0 | 1;
  /** line coverage, when the run was asked for it */
  coverage?: CoverageReport;
}

export function outcomeOf(result: TestResult): Outcome {
  if (result.skip) return "SKIPPED";
  if (result.error) return "ERROR";
  if (result.fail) return "FAIL";
  return "PASS";
}
