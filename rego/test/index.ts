// The Rego unit-test runner (`gatehouse policy test`, like `opa test`).
export { discoverTests } from "./discover.ts";
export { runTests, parseEvalError } from "./run.ts";
export type { RunOptions } from "./run.ts";
export { runTestsInPaths } from "./directory.ts";
export { formatPretty, formatJson, jsonResults } from "./format.ts";
export { formatDuration, parseDuration } from "./duration.ts";
export { outcomeOf } from "./types.ts";
export type { TestCase, TestResult, TestReport, TestError, SubResult, Outcome } from "./types.ts";
export { coverageReport, coverableRows } from "./coverage.ts";
export type { CoverageReport, FileCoverage, LineRange } from "./coverage.ts";
export { formatCoverage, thresholdMessage } from "./coverage-format.ts";
