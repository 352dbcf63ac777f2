// gatehouse promote --from <env> --to <env> [--dry-run] [--remote origin] [--base main] ...
import { Option, type Command } from "commander";
import { promote, type PromoteOptions } from "../promote/index.ts";
import { testLine } from "../promote/body.ts";

type PromoteCommandOptions = Omit<PromoteOptions, "env" | "log">;

/** Adds options and action to `gatehouse promote` (cli/program.ts creates it). */
export function definePromoteCommand(command: Command): void {
  command
    .requiredOption("--from <env>", "environment to promote (environments/<env>/ or a branch)")
    .requiredOption("--to <env>", "environment to promote into")
    .option("--dry-run", "print what would be done; push nothing, open nothing")
    .option("--remote <name>", "git remote to push to (default origin)")
    .option(
      "--base <branch>",
      "branch the pull request targets for folder environments (default main)",
    )
    .option(
      "--decisions <source>",
      "recorded decisions to replay: a JSON Lines export, an audit SQLite file or a postgres:// URL",
    )
    .option("--schema <name>", "PostgreSQL schema of the audit tables (default gatehouse)")
    .addOption(
      new Option("--provider <name>", "where to open the request (default github)").choices([
        "github",
        "gitlab",
      ]),
    )
    .option(
      "--repository <owner/name>",
      "repository on the provider (default: from the remote URL)",
    )
    .option("--config <file>", "promote settings (default gatehouse-promote.yaml at the top level)")
    .option("--repo <path>", "a folder inside the git repository", ".")
    .action((options: PromoteCommandOptions) => runPromote(options));
}

async function runPromote(options: PromoteCommandOptions): Promise<void> {
  const result = await promote({
    ...options,
    env: process.env,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const out: string[] = [];
  out.push(`tests: ${testLine(result.tests)}`);
  if (result.changes.length === 0) {
    out.push("nothing to promote: the target already has these files");
  } else {
    out.push(`files: ${result.changes.map((c) => `${c.status} ${c.path}`).join(", ")}`);
    if (result.dryRun) {
      out.push(`would push branch ${result.branch} and open: ${result.title}`, "", result.body);
    } else {
      out.push(`pushed ${result.branch} (${result.commit?.slice(0, 12)})`, `opened ${result.url}`);
    }
  }
  process.stdout.write(`${out.join("\n")}\n`);
}
