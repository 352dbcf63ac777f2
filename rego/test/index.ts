// The Rego unit-test runner (`gatehouse policy test`, like `opa test`).
export { discoverTests } from "./discover.ts";
export { runTests, parseEvalError } from "./run.ts";
export type { RunOptions } from "./run.ts";
export { runTestsInPaths } from "./directory.ts";
export { formatPretty, formatJson } from "./format.ts";
export { formatDuration } from "./duration.ts";
export { outcomeOf } from "./types.ts";
export type { TestCase, TestResult, TestReport, TestError, SubResult, Outcome } from "./types.ts";
