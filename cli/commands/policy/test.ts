// gatehouse policy test <dir...> [-v] [--run <regex>] [--format pretty|json] [--coverage]
//   [--threshold <percent>] [--timeout <dur>] [--budget <units>] [--max-memory <MiB>]
//
// Runs the `test_` rules of policy folders like `opa test`. Exit codes: 0 every test passed
// (skipped ones allowed) and coverage met the threshold; 1 a test failed or errored (a file that
// does not compile, a test that timed out); 2 coverage below --threshold, or a usage problem (bad
// option value, unreadable path).
import { Command, Option } from "commander";
import {
  loadPolicyDirectory,
  PolicyLoadError,
  type PolicyDirectory,
} from "../../../rego/bundle/index.ts";
import { parseDuration } from "../../../rego/test/duration.ts";
import {
  BUDGET_HELP,
  budgetOption,
  maxMemoryOption,
  parseLimitFlags,
  type LimitFlags,
} from "./limit-options.ts";
import type { EvaluationLimits } from "../../../rego/wasm/limits.ts";

export const EXIT_TESTS_FAILED = 1;
export const EXIT_USAGE_OR_THRESHOLD = 2;

export interface TestOptions extends LimitFlags {
  verbose?: boolean;
  run?: string;
  format: "pretty" | "json";
  coverage?: boolean;
  threshold?: string;
  timeout: string;
}

/** Option values checked and converted; a string is the usage problem found. */
export interface Settings extends EvaluationLimits {
  run?: RegExp;
  threshold?: number;
  timeoutMs: number;
  coverage: boolean;
}

export function registerPolicyTest(policy: Command): void {
  policy
    .command("test")
    .description("run the test_ rules of policy folders (like opa test), optionally with coverage")
    .argument("<dir...>", "folders (or files) holding .rego modules and data .json/.yaml files")
    .option("-v, --verbose", "list every test with its outcome, not only failures")
    .option("-r, --run <regex>", "run only tests whose full name (data.pkg.test_x) matches")
    .addOption(
      new Option("-f, --format <format>", "output format")
        .choices(["pretty", "json"])
        .default("pretty"),
    )
    .option("-c, --coverage", "report covered and not covered lines per file")
    .option(
      "--threshold <percent>",
      "fail (exit 2) when line coverage is below this percentage; implies --coverage",
    )
    .option("-t, --timeout <duration>", "time limit per test, Go syntax (500ms, 5s, 1m)", "5s")
    .addOption(budgetOption(`${BUDGET_HELP}; such a test is an ERROR`))
    .addOption(maxMemoryOption())
    .exitOverride((e) => {
      // commander has printed the problem: usage errors exit 2, help and version 0
      process.exit(e.exitCode === 0 ? 0 : EXIT_USAGE_OR_THRESHOLD);
    })
    .action((dirs: string[], options: TestOptions) => testPolicies(dirs, options));
}

async function testPolicies(dirs: string[], options: TestOptions): Promise<void> {
  const settings = checkOptions(options);
  if (typeof settings === "string") return usageProblem(settings);

  let loaded: PolicyDirectory;
  try {
    loaded = loadPolicyDirectory(dirs);
  } catch (e) {
    if (e instanceof PolicyLoadError) return usageProblem(e.message);
    throw e;
  }
  // the runner loads the compiler: only once the arguments are known to be good
  const runner = await import("../../../rego/test/index.ts");
  const report = await runner.runTests(loaded.files, {
    data: loaded.data,
    run: settings.run,
    timeoutMs: settings.timeoutMs,
    coverage: settings.coverage,
    budget: settings.budget,
    maxMemoryPages: settings.maxMemoryPages,
  });

  const coverage = report.coverage;
  if (options.format === "json") {
    const tests = runner.jsonResults(report);
    const document = coverage ? { ...coverage, tests } : tests;
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    process.stdout.write(runner.formatPretty(report, { verbose: options.verbose }));
    if (coverage) process.stdout.write(runner.formatCoverage(coverage));
  }

  const below =
    coverage !== undefined &&
    settings.threshold !== undefined &&
    coverage.coverage < settings.threshold;
  if (below) process.stderr.write(runner.thresholdMessage(coverage, settings.threshold!));
  // failing tests say more than a coverage figure: they decide the code when both happen
  if (report.exitCode !== 0) process.exitCode = EXIT_TESTS_FAILED;
  else if (below) process.exitCode = EXIT_USAGE_OR_THRESHOLD;
}

export function checkOptions(options: TestOptions): Settings | string {
  const settings: Settings = { coverage: options.coverage === true, timeoutMs: 0 };
  if (options.run !== undefined) {
    try {
      settings.run = new RegExp(options.run);
    } catch (e) {
      return `--run ${JSON.stringify(options.run)}: not a regular expression: ${(e as Error).message}`;
    }
  }
  if (options.threshold !== undefined) {
    const threshold = Number(options.threshold);
    if (options.threshold.trim() === "" || !(threshold >= 0 && threshold <= 100)) {
      return `--threshold ${JSON.stringify(options.threshold)}: give a percentage between 0 and 100`;
    }
    settings.threshold = threshold;
    settings.coverage = true;
  }
  const timeoutNs = parseDuration(options.timeout);
  if (timeoutNs === undefined || timeoutNs <= 0) {
    return `--timeout ${JSON.stringify(options.timeout)}: give a positive duration such as 500ms, 5s or 1m`;
  }
  settings.timeoutMs = Math.max(1, Math.round(timeoutNs / 1e6));
  const limits = parseLimitFlags(options);
  if (typeof limits === "string") return limits;
  return { ...settings, ...limits };
}

function usageProblem(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = EXIT_USAGE_OR_THRESHOLD;
}
