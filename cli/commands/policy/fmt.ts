// gatehouse policy fmt [--check] [--diff] <dir-or-file...>
//
// Formats .rego files like `opa fmt`. Without options each file that changes is rewritten in
// place (atomically: a temporary file in the same folder, then a rename). --check lists the files
// that would change; --diff prints the changes as a unified diff; neither writes. Exit codes:
// 0 nothing to do (or files rewritten); 1 --check/--diff found files that would change; 2 a file
// could not be read, parsed or formatted (the others are still processed).
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Command } from "commander";
import { RegoError, formatIssue } from "../../../rego/errors.ts";
import { formatSource } from "../../../rego/format/index.ts";
import { unifiedDiff } from "../../../rego/format/unified-diff.ts";

export const EXIT_WOULD_CHANGE = 1;
export const EXIT_BROKEN = 2;
const MAX_FILE_BYTES = 4 * 1024 * 1024;

interface FmtOptions {
  check?: boolean;
  diff?: boolean;
}

export function registerPolicyFmt(policy: Command): void {
  policy
    .command("fmt")
    .description(
      "format .rego files canonically (opa fmt style); rewrites them unless --check/--diff",
    )
    .argument("<path...>", "folders (searched recursively) or .rego files")
    .option("--check", "list the files that would change and exit 1 if any; write nothing")
    .option("--diff", "print what would change as a unified diff; write nothing")
    .exitOverride((e) => {
      process.exit(e.exitCode === 0 ? 0 : EXIT_BROKEN);
    })
    .action((paths: string[], options: FmtOptions) => formatPaths(paths, options));
}

function formatPaths(paths: string[], options: FmtOptions): void {
  const broken: string[] = [];
  const files: string[] = [];
  for (const path of paths) {
    try {
      files.push(...regoFiles(path));
    } catch (e) {
      broken.push((e as Error).message);
    }
  }
  const writing = !options.check && !options.diff;
  let changed = 0;
  for (const file of files) {
    let source: string;
    let formatted: string;
    try {
      source = readSource(file);
      formatted = formatSource(source, file);
    } catch (e) {
      broken.push(...(e instanceof RegoError ? e.issues.map(formatIssue) : [(e as Error).message]));
      continue;
    }
    if (formatted === source) continue;
    changed++;
    if (options.diff) process.stdout.write(unifiedDiff(source, formatted, file));
    else if (options.check) process.stdout.write(`${file}\n`);
    else {
      try {
        writeAtomically(file, formatted);
        process.stdout.write(`formatted ${file}\n`);
      } catch (e) {
        broken.push(`${file}: cannot write: ${(e as Error).message}`);
      }
    }
  }
  for (const line of broken) process.stderr.write(`${line}\n`);
  if (broken.length > 0) {
    process.stderr.write("fix the problems above (files that do not parse are left as they are)\n");
    process.exitCode = EXIT_BROKEN;
  } else if (changed > 0 && !writing) {
    if (options.check) {
      process.stderr.write(
        `${changed} of ${files.length} files would be reformatted: run gatehouse policy fmt\n`,
      );
    }
    process.exitCode = EXIT_WOULD_CHANGE;
  }
}

/** `.rego` files under a folder (entries starting with a dot skipped) or the file itself. */
function regoFiles(path: string): string[] {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    throw new Error(`${path}: no such file or directory`);
  }
  if (!isDirectory) {
    if (!path.endsWith(".rego")) throw new Error(`${path}: not a .rego file`);
    return [path];
  }
  const out: string[] = [];
  const entries = readdirSync(path, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const child = join(path, entry.name);
    if (entry.isDirectory()) out.push(...regoFiles(child));
    else if (entry.name.endsWith(".rego")) out.push(child);
  }
  return out;
}

function readSource(file: string): string {
  const size = statSync(file).size;
  if (size > MAX_FILE_BYTES) {
    throw new Error(`${file}: ${size} bytes is over the ${MAX_FILE_BYTES}-byte limit for a module`);
  }
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`${file}: cannot read: ${(e as Error).message}`);
  }
}

/** Replaces `file` in one rename, so a reader never sees half a file; keeps its permissions. */
function writeAtomically(file: string, text: string): void {
  const mode = statSync(file).mode & 0o7777;
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.fmt-tmp`);
  try {
    writeFileSync(temp, text, { mode });
    renameSync(temp, file);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}
