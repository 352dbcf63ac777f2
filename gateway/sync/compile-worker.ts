// Worker thread: compiles a revision's policy folders to a bundle and runs their Rego tests, off
// the gateway's event loop (the compiler is synchronous; calls keep flowing meanwhile).
import { parentPort } from "node:worker_threads";
import { buildPolicy, loadPolicyDirectory, writeBundle } from "../../rego/index.ts";
import { formatPretty, runTestsInPaths } from "../../rego/test/index.ts";
import { DECISION_ENTRYPOINT, messageOf } from "../policy/engine.ts";

export interface CompileRequest {
  policyDirs: string[];
}

export type CompileReply =
  | { ok: true; bundle: Uint8Array; timings: { policy: number; tests: number } }
  | { ok: false; stage: "policy" | "tests"; problems: string[] };

parentPort!.on("message", async ({ policyDirs }: CompileRequest) => {
  parentPort!.postMessage(await compileAndTest(policyDirs));
});

async function compileAndTest(policyDirs: string[]): Promise<CompileReply> {
  let started = performance.now();
  let bundle: Uint8Array;
  try {
    const { files, data } = loadPolicyDirectory(policyDirs);
    if (files.length === 0) throw new Error(`no .rego files found in ${policyDirs.join(", ")}`);
    // as PolicyEngine.fromDirectories builds it: the decision entrypoint, strict builtin errors
    const built = buildPolicy(files, {
      entrypoints: [DECISION_ENTRYPOINT],
      strictBuiltinErrors: true,
    });
    bundle = writeBundle({ files: [], data, wasm: built.wasm, entrypoints: [DECISION_ENTRYPOINT] });
  } catch (e) {
    return { ok: false, stage: "policy", problems: messageOf(e).split("\n") };
  }
  const policy = Math.round(performance.now() - started);
  started = performance.now();
  const report = await runTestsInPaths(policyDirs);
  if (report.exitCode !== 0)
    return { ok: false, stage: "tests", problems: formatPretty(report).trimEnd().split("\n") };
  return { ok: true, bundle, timings: { policy, tests: Math.round(performance.now() - started) } };
}
