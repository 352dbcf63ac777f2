// gatehouse policy build <dir...> [-e <entrypoint...>] -o bundle.tar.gz [--revision r] [--no-strict]
//   [--budget <units>] [--no-meter]
// Rules and packages whose METADATA says `entrypoint: true` are entrypoints too, as in `opa build`.
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { entrypointPath, loadPolicyDirectory, writeBundle } from "../../../rego/bundle/index.ts";
import { CliError } from "../../failure.ts";
import { loadToolchain } from "../../toolchain.ts";
import { unknownEntrypoints } from "./entrypoints.ts";
import { budgetOption, parseLimitFlags } from "./limit-options.ts";
import { DEFAULT_EVAL_BUDGET } from "../../../rego/wasm/limits.ts";

interface BuildOptions {
  entrypoint?: string[];
  output: string;
  revision?: string;
  strict: boolean;
  budget?: string;
  /** commander's --no-meter */
  meter: boolean;
}

export function registerPolicyBuild(policy: Command): void {
  policy
    .command("build")
    .description("compile policy folders into an OPA bundle (.tar.gz with policy.wasm)")
    .argument("<dir...>", "folders (or files) holding .rego modules and data .json/.yaml files")
    .option(
      "-e, --entrypoint <path...>",
      "rule paths to expose, e.g. gatehouse/decision (besides those METADATA marks `entrypoint: true`)",
    )
    .option("-o, --output <file>", "bundle file to write", "bundle.tar.gz")
    .option("--revision <revision>", "revision recorded in the bundle manifest")
    .option(
      "--no-strict",
      "make failing builtin calls undefined (OPA's default) instead of errors (the gateway's default)",
    )
    .addOption(
      budgetOption(
        `the module's evaluation budget when its host sets none, in units of work (default ${DEFAULT_EVAL_BUDGET})`,
      ),
    )
    .option(
      "--no-meter",
      "build without the evaluation budget, as OPA's own modules (benchmarks; hosts cannot limit it)",
    )
    .action((dirs: string[], options: BuildOptions) => buildBundle(dirs, options));
}

async function buildBundle(dirs: string[], options: BuildOptions): Promise<void> {
  const limits = parseLimitFlags({ budget: options.budget });
  if (typeof limits === "string") throw new CliError(limits);
  if (!options.meter && limits.budget !== undefined)
    throw new CliError(
      "--budget and --no-meter exclude each other: an unmetered module has no budget",
    );
  const { files, data } = loadPolicyDirectory(dirs);
  if (files.length === 0) throw new CliError(`no .rego files found in ${dirs.join(", ")}`);
  const { buildPolicy, parseModule, annotatedEntrypoints } = await loadToolchain();
  const annotated = annotatedEntrypoints(files.map((f) => parseModule(f.source, f.file)));
  const entrypoints = [
    ...new Set([...(options.entrypoint ?? []).map(entrypointPath), ...annotated]),
  ];
  if (entrypoints.length === 0) {
    throw new CliError(
      "no entrypoints: name rules with -e, or mark them `entrypoint: true` in a METADATA block",
    );
  }
  const built = buildPolicy(files, {
    entrypoints,
    strictBuiltinErrors: options.strict,
    meter: options.meter,
    budget: limits.budget,
  });
  const unknown = unknownEntrypoints(files, entrypoints);
  if (unknown.length > 0) {
    throw new CliError(
      unknown.map((e) => `entrypoint ${e} does not refer to a rule or package`).join("\n"),
    );
  }
  const bundle = writeBundle({
    files,
    data,
    wasm: built.wasm,
    entrypoints,
    revision: options.revision,
  });
  try {
    writeFileSync(options.output, bundle);
  } catch (e) {
    throw new CliError(`${options.output}: cannot write bundle: ${(e as Error).message}`);
  }
  console.log(
    `wrote ${options.output}: ${files.length} modules, entrypoints ${entrypoints.join(", ")}`,
  );
}
