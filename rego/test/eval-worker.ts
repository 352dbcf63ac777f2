// Worker-thread entry: loads one compiled policy and evaluates entrypoints on request. It runs in
// its own thread so that a test that never terminates can be stopped by terminating the thread.
import { parentPort } from "node:worker_threads";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { EvaluationOutput } from "../builtins/host/evaluation-output.ts";
import { memoryCapMessage, ModuleLimits } from "../wasm/limits.ts";
import { errorText } from "./error-text.ts";

export type WorkerRequest =
  | {
      type: "load";
      wasm: Uint8Array;
      data: unknown;
      strictBuiltinErrors: boolean;
      /** the module calls host builtins (their implementations are imported only then) */
      hostBuiltins: boolean;
      /** units of work per evaluation (the module's default when absent) */
      budget?: number;
      /** memory cap in 64 KiB pages (none when absent) */
      maxMemoryPages?: number;
      /** coverage builds: the line table to report after each evaluation */
      coverage?: { address: number; length: number };
    }
  | { type: "eval"; id: number; entrypoint: string };

export type WorkerReply =
  | { type: "loaded" }
  | { type: "load-failed"; message: string }
  | {
      type: "result";
      id: number;
      durationNs: number;
      output: string;
      resultSet?: unknown;
      error?: string;
      /** coverage builds: the line table's bytes after this evaluation (cumulative) */
      covered?: Uint8Array;
    };

type LoadedPolicy = Awaited<ReturnType<typeof loadPolicy>>;

const port = parentPort!;
let policy: LoadedPolicy | undefined;
let coverage: { address: number; length: number } | undefined;
let maxMemoryPages: number | undefined;

// print() and trace() output, per evaluation; anything else that logs (opa_println) joins it
const output = new EvaluationOutput();
console.log = (...args: unknown[]) => {
  output.write(args.map(String).join(" "));
};

port.on("message", async (request: WorkerRequest) => {
  if (request.type === "load") {
    try {
      maxMemoryPages = request.maxMemoryPages;
      const host = request.hostBuiltins
        ? (await import("../builtins/host/index.ts")).hostBuiltins({
            strictBuiltinErrors: request.strictBuiltinErrors,
            output,
          })
        : {};
      policy = await loadPolicy(
        request.wasm,
        maxMemoryPages === undefined ? undefined : { initial: 5, maximum: maxMemoryPages },
        host,
      );
      policy.setData((request.data ?? {}) as object);
      if (request.budget !== undefined) new ModuleLimits(policy).setBudget(request.budget);
      coverage = request.coverage;
      port.postMessage({ type: "loaded" } satisfies WorkerReply);
    } catch (e) {
      port.postMessage({ type: "load-failed", message: errorText(e) } satisfies WorkerReply);
    }
    return;
  }
  output.take();
  const start = process.hrtime.bigint();
  let reply: WorkerReply;
  try {
    const resultSet = policy!.evaluate(undefined, request.entrypoint);
    reply = { type: "result", id: request.id, durationNs: elapsed(start), output: "", resultSet };
  } catch (e) {
    const text = errorText(e);
    reply = {
      type: "result",
      id: request.id,
      durationNs: elapsed(start),
      output: "",
      error: (maxMemoryPages !== undefined && memoryCapMessage(text, maxMemoryPages)) || text,
    };
  }
  reply.output = output.take().join("\n");
  if (coverage) {
    // a copy: the memory itself stays with the policy
    reply.covered = new Uint8Array(policy!.mem.buffer, coverage.address, coverage.length).slice();
  }
  port.postMessage(reply);
});

function elapsed(start: bigint): number {
  return Number(process.hrtime.bigint() - start);
}
