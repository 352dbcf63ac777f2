// gatehouse policy build <dir...> -e <entrypoint...> -o bundle.tar.gz [--revision r] [--no-strict]
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { entrypointPath, loadPolicyDirectory, writeBundle } from "../../../rego/bundle/index.ts";
import { CliError } from "../../failure.ts";
import { loadToolchain } from "../../toolchain.ts";
import { unknownEntrypoints } from "./entrypoints.ts";

interface BuildOptions {
  entrypoint: string[];
  output: string;
  revision?: string;
  strict: boolean;
}

export function registerPolicyBuild(policy: Command): void {
  policy
    .command("build")
    .description("compile policy folders into an OPA bundle (.tar.gz with policy.wasm)")
    .argument("<dir...>", "folders (or files) holding .rego modules and data .json/.yaml files")
    .requiredOption("-e, --entrypoint <path...>", "rule paths to expose, e.g. gatehouse/decision")
    .option("-o, --output <file>", "bundle file to write", "bundle.tar.gz")
    .option("--revision <revision>", "revision recorded in the bundle manifest")
    .option(
      "--no-strict",
      "make failing builtin calls undefined (OPA's default) instead of errors (the gateway's default)",
    )
    .action((dirs: string[], options: BuildOptions) => buildBundle(dirs, options));
}

async function buildBundle(dirs: string[], options: BuildOptions): Promise<void> {
  const { files, data } = loadPolicyDirectory(dirs);
  if (files.length === 0) throw new CliError(`no .rego files found in ${dirs.join(", ")}`);
  const entrypoints = options.entrypoint.map(entrypointPath);
  const { buildPolicy } = await loadToolchain();
  const built = buildPolicy(files, { entrypoints, strictBuiltinErrors: options.strict });
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
