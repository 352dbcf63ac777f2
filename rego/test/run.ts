// `opa test` for Gatehouse: compiles every file once with one entrypoint per test, then evaluates
// the tests one by one in a worker thread with a time limit.
import type { SourceFile } from "../index.ts";
import type { EvaluationLimits } from "../wasm/limits.ts";
import { hostBuiltinIds } from "../wasm/link.ts";
import { brokenFileResult, type UserOfBroken } from "./broken-file.ts";
import type { Worker } from "node:worker_threads";
import { buildForTests, type ParsedFile, type TestBuild } from "./build.ts";
import { coverageReport } from "./coverage.ts";
import { discoverTests } from "./discover.ts";
import { separateDuplicateTests } from "./duplicates.ts";
import { startTestWorker, TestEvaluator, type Evaluation } from "./evaluator.ts";
import { judgeResultSet } from "./judge.ts";
import type { TestCase, TestError, TestReport, TestResult } from "./types.ts";
import { outcomeOf } from "./types.ts";

/** Besides the time limit, each test runs under `budget` and `maxMemoryPages` (rego/wasm/limits.ts:
 * the module's own budget and no memory cap when absent). */
export interface RunOptions extends EvaluationLimits {
  /** only tests whose full name (e.g. `data.a.test_x`) matches run, like OPA's `--run` */
  run?: RegExp;
  /** per-test evaluation limit, default 5000 ms */
  timeoutMs?: number;
  /** the base document (`data`) the tests see */
  data?: unknown;
  /** raise builtin errors instead of making the call undefined */
  strictBuiltinErrors?: boolean;
  /** build an instrumented module and report line coverage (see coverage.ts) */
  coverage?: boolean;
}

export async function runTests(files: SourceFile[], options: RunOptions = {}): Promise<TestReport> {
  // without the g and y flags, test() keeps no state between calls
  const filter =
    options.run && new RegExp(options.run.source, options.run.flags.replace(/[gy]/g, ""));
  const testsIn = (parsed: ParsedFile[]) =>
    discoverTests(parsed.map((p) => p.module)).filter(
      (t) => !filter || filter.test(`${t.package}.${t.name}`),
    );
  // once a test is known to run, the worker starts while the policy compiles
  let worker: Worker | undefined;
  let build: TestBuild;
  try {
    build = buildForTests(
      separateDuplicateTests(files),
      (inPlay) => {
        const queries = testsIn(inPlay)
          .filter((t) => !t.skip)
          .map((t) => ({ name: t.entrypoint, ref: t.ref }));
        if (queries.length > 0) worker ??= startTestWorker();
        return queries;
      },
      { strictBuiltinErrors: options.strictBuiltinErrors, coverage: options.coverage },
    );
  } catch (e) {
    await worker?.terminate();
    throw e;
  }
  const parsedByFile = new Map(build.parsed.map((p) => [p.file, p]));
  const evaluator = build.policy
    ? new TestEvaluator(build.policy.wasm, {
        data: options.data ?? {},
        timeoutMs: options.timeoutMs ?? 5000,
        strictBuiltinErrors: options.strictBuiltinErrors,
        coverage: build.policy.coverage,
        limits: { budget: options.budget, maxMemoryPages: options.maxMemoryPages },
        hostBuiltins: hostBuiltinIds(build.policy.ir).size > 0,
        worker,
      })
    : undefined;
  if (!evaluator) await worker?.terminate();

  const results: TestResult[] = [];
  // tests of files that use a broken file are not run: that file's result counts them
  const usersOf = (broken: string): UserOfBroken[] =>
    [...build.blocked]
      .filter(([, needs]) => needs === broken)
      .map(([file]) => ({
        file,
        tests: testsIn([parsedByFile.get(file)!]).filter((t) => !t.skip).length,
      }))
      .filter((user) => user.tests > 0);
  try {
    for (const { file } of files) {
      const issues = build.broken.get(file);
      if (issues) {
        results.push(brokenFileResult(file, issues, parsedByFile.get(file), usersOf(file)));
        continue;
      }
      if (build.blocked.has(file)) continue;
      for (const test of testsIn([parsedByFile.get(file)!])) {
        if (test.skip) results.push({ ...identity(test), skip: true, duration: 0 });
        else if (evaluator) results.push(await runOne(test, evaluator));
        else
          results.push({
            ...identity(test),
            error: { message: `build failed: ${build.failure}` },
            duration: 0,
          });
      }
    }
  } finally {
    await evaluator?.close();
  }
  const ok = results.every((r) => outcomeOf(r) === "PASS" || outcomeOf(r) === "SKIPPED");
  const report: TestReport = { results, exitCode: ok ? 0 : 1 };
  if (options.coverage) {
    const lines = build.policy?.coverage?.lines ?? [];
    const hits = lines.filter((_, i) => evaluator?.covered[i] === 1);
    const compiled = (file: string) => !build.broken.has(file) && !build.blocked.has(file);
    const modules = build.parsed.filter((p) => compiled(p.file)).map((p) => p.module);
    report.coverage = coverageReport(modules, hits);
  }
  return report;
}

async function runOne(test: TestCase, evaluator: TestEvaluator): Promise<TestResult> {
  const evaluation: Evaluation = await evaluator.evaluate(test.entrypoint);
  const result: TestResult = { ...identity(test), duration: evaluation.durationNs };
  if (evaluation.output) result.output = evaluation.output;
  if ("error" in evaluation) {
    result.error = parseEvalError(evaluation.error);
    return result;
  }
  const verdict = judgeResultSet(evaluation.resultSet, test.hasSubResults);
  if (verdict.fail) result.fail = true;
  if (verdict.sub_results) result.sub_results = verdict.sub_results;
  return result;
}

function identity(test: TestCase): Pick<TestResult, "location" | "package" | "name"> {
  const location = { file: test.file, row: test.row, col: test.col };
  return { location, package: test.package, name: test.name };
}

/** opa-wasm reports errors as text, e.g. `x.rego:4:5: eval_conflict_error: complete rules must ...`. */
export function parseEvalError(text: string): TestError {
  const m = /^(?:(.+?):(\d+)(?::(\d+))?: )?([a-z_]+_error): ([\s\S]*)$/.exec(text);
  if (!m) return { message: text };
  const [, file, row, col, code, message] = m;
  const error: TestError = { code: code!, message: message! };
  if (file !== undefined) error.location = { file, row: Number(row), col: Number(col ?? 0) };
  return error;
}
