// Runs the tests of policy folders and files as `opa test <paths>` does: every `*.rego` file is a
// module and the JSON/YAML files are the base data (see rego/bundle's loadPolicyDirectory).
import { loadPolicyDirectory } from "../bundle/index.ts";
import { runTests, type RunOptions } from "./run.ts";
import type { TestReport } from "./types.ts";

export async function runTestsInPaths(
  paths: string[],
  options: Omit<RunOptions, "data"> = {},
): Promise<TestReport> {
  const { files, data } = loadPolicyDirectory(paths);
  return runTests(
    files.map((f) => ({ file: f.file, source: f.source })),
    { ...options, data },
  );
}
