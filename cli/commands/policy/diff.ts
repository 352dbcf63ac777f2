// gatehouse policy diff --base <ref> [--head <ref>] [--decisions <file|store>] [--format text|markdown|json]
import { Option, type Command } from "commander";
import { printFailure } from "../../failure.ts";
import {
  DIFF_EXIT,
  DIFF_FORMATS,
  diffPolicies,
  formatDiff,
  summaryOf,
  type DiffFormat,
} from "../../policy-diff/index.ts";

interface DiffCommandOptions {
  base: string;
  head?: string;
  decisions?: string;
  schema?: string;
  policies: string;
  format: DiffFormat;
  repo: string;
}

export function registerPolicyDiff(policy: Command): void {
  policy
    .command("diff")
    .description(
      "replay recorded decisions against the policies at two git revisions and report every decision that changes (exit 0: none, 3: some, 2: error)",
    )
    .requiredOption("--base <ref>", "git revision before the change (branch, tag, commit)")
    .option("--head <ref>", "git revision after the change (default: the work tree as on disk)")
    .option(
      "--decisions <source>",
      "recorded decisions: a JSON Lines export (gatehouse audit export), an audit SQLite file or a postgres:// URL",
    )
    .option("--schema <name>", "PostgreSQL schema of the audit tables (default gatehouse)")
    .option("--policies <dir>", "policy folder, relative to the repository's top level", "policies")
    .addOption(
      new Option("--format <format>", "output format").choices(DIFF_FORMATS).default("text"),
    )
    .option("--repo <path>", "a folder inside the git repository", ".")
    .action((options: DiffCommandOptions) => runDiff(options));
}

async function runDiff(options: DiffCommandOptions): Promise<void> {
  try {
    const report = await diffPolicies(options);
    process.stdout.write(formatDiff(summaryOf(report), options.format));
    process.exitCode = report.counts.total > 0 ? DIFF_EXIT.changed : DIFF_EXIT.unchanged;
  } catch (e) {
    printFailure(e);
    process.exitCode = DIFF_EXIT.error;
  }
}
