// gatehouse policy check <dir...> [--format pretty|json] [--strict] [-e <entrypoint>]...
//
// Parses every .rego module, compiles them together and lints them. Exit codes: 0 no errors (and,
// with --strict, no warnings); 1 errors (or warnings with --strict); 2 a usage problem (unreadable
// path, no .rego file).
import { Command, Option } from "commander";
import { loadPolicyDirectory, PolicyLoadError } from "../../../rego/bundle/index.ts";
import { checkSources, problemText, type CheckReport } from "../../../rego/lint/check.ts";

export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;

interface CheckOptions {
  format: "pretty" | "json";
  strict?: boolean;
  entrypoint: string[];
}

export function registerPolicyCheck(policy: Command): void {
  policy
    .command("check")
    .description("parse, compile and lint policy folders; file:line:col for every problem")
    .argument("<dir...>", "folders (or files) holding .rego modules and data .json/.yaml files")
    .addOption(
      new Option("-f, --format <format>", "output format")
        .choices(["pretty", "json"])
        .default("pretty"),
    )
    .option("--strict", "fail (exit 1) on lint warnings too, not only on errors")
    .option(
      "-e, --entrypoint <path>",
      "rule path the policy is queried through, e.g. gatehouse/decision (repeatable): any other rule nothing refers to is reported unused",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .exitOverride((e) => {
      process.exit(e.exitCode === 0 ? 0 : EXIT_USAGE);
    })
    .action((dirs: string[], options: CheckOptions) => checkPolicies(dirs, options));
}

function checkPolicies(dirs: string[], options: CheckOptions): void {
  let files;
  try {
    files = loadPolicyDirectory(dirs).files;
  } catch (e) {
    if (!(e instanceof PolicyLoadError)) throw e;
    return usageProblem(e.message);
  }
  if (files.length === 0) return usageProblem(`no .rego files found in ${dirs.join(", ")}`);
  const report = checkSources(files, { entrypoints: options.entrypoint });
  const errors = report.problems.filter((p) => p.severity === "error").length;
  const warnings = report.problems.length - errors;
  if (options.format === "json") printJson(report, errors, warnings);
  else printPretty(report, errors, warnings);
  if (errors > 0 || (options.strict && warnings > 0)) process.exitCode = EXIT_PROBLEMS;
}

function printPretty(report: CheckReport, errors: number, warnings: number): void {
  const out: string[] = report.problems.map(problemText);
  const hints = new Map<string, string>();
  for (const p of report.problems) {
    const key = p.code.startsWith("lint/") ? "lint" : p.code;
    if (p.hint && !hints.has(key)) hints.set(key, p.hint);
  }
  if (hints.size > 0) out.push("", ...[...hints].map(([code, hint]) => `hint (${code}): ${hint}`));
  if (!report.compiled) out.push("", "compile and lint skipped: fix the parse errors first");
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (out.length > 0) out.push("");
  out.push(
    `${plural(report.files, "file")} checked: ${plural(errors, "error")}, ${plural(warnings, "warning")}`,
  );
  process.stdout.write(`${out.join("\n")}\n`);
}

function printJson(report: CheckReport, errors: number, warnings: number): void {
  const problems = report.problems.map((p) => ({
    file: p.location?.file ?? null,
    row: p.location?.row ?? null,
    col: p.location?.col ?? null,
    code: p.code,
    severity: p.severity,
    message: p.message,
    hint: p.hint,
  }));
  const doc = { files: report.files, compiled: report.compiled, errors, warnings, problems };
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}

function usageProblem(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = EXIT_USAGE;
}
