// Evaluates test entrypoints in a worker thread, one at a time, each with a time limit. A test that
// runs past its limit has its worker terminated; the next test gets a fresh worker. In coverage
// builds the lines each evaluation ran are collected here, so a replaced worker loses none.
import { Worker } from "node:worker_threads";
import { TYPESCRIPT_NODE_FLAGS } from "../node-typescript.ts";
import type { CoverageTable } from "../index.ts";
import type { EvaluationLimits } from "../wasm/limits.ts";
import type { WorkerReply, WorkerRequest } from "./eval-worker.ts";

const workerEntry = new URL("./eval-worker.ts", import.meta.url);
/** Starting a worker and loading the policy into it is not part of any test's time. */
const startupLimitMs = 120_000;

export type Evaluation =
  | { resultSet: unknown; durationNs: number; output: string }
  | { error: string; durationNs: number; output: string };

interface Loaded {
  worker: Worker;
  failure?: string;
}

/**
 * Starts a test worker ahead of its first evaluation: it loads its modules while the caller
 * compiles. Hand it to a TestEvaluator, or terminate it.
 */
export function startTestWorker(): Worker {
  const worker = new Worker(workerEntry, {
    execArgv: [...TYPESCRIPT_NODE_FLAGS], // vitest's own TypeScript handling does not reach workers
    resourceLimits: { maxOldGenerationSizeMb: 1024 },
  });
  // errors between evaluations must not go unhandled; during one they end it (listeners below)
  worker.on("error", () => {});
  return worker;
}

export interface EvaluatorOptions {
  /** the base document (`data`) */
  data: unknown;
  /** per-evaluation time limit */
  timeoutMs: number;
  strictBuiltinErrors?: boolean;
  coverage?: CoverageTable;
  /** what bounds each evaluation besides the time limit */
  limits?: EvaluationLimits;
  /** the module calls host builtins: the worker imports their implementations only then */
  hostBuiltins: boolean;
  /** a worker from startTestWorker, for the first evaluation */
  worker?: Worker;
}

export class TestEvaluator {
  private current?: Promise<Loaded>;
  private nextId = 0;
  private spare: Worker | undefined;
  /** coverage builds: byte i set when coverage.lines[i] ran in any evaluation so far */
  readonly covered: Uint8Array;

  constructor(
    private readonly wasm: Uint8Array,
    private readonly options: EvaluatorOptions,
  ) {
    this.covered = new Uint8Array(options.coverage?.lines.length ?? 0);
    this.spare = options.worker;
  }

  async evaluate(entrypoint: string): Promise<Evaluation> {
    this.current ??= this.start();
    const { worker, failure } = await this.current;
    if (failure !== undefined) return { error: failure, durationNs: 0, output: "" };
    const id = this.nextId++;
    return new Promise((resolve) => {
      const done = (evaluation: Evaluation) => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onCrash);
        worker.off("exit", onExit);
        resolve(evaluation);
      };
      const onMessage = (reply: WorkerReply) => {
        if (reply.type !== "result" || reply.id !== id) return;
        const { durationNs, output } = reply;
        reply.covered?.forEach((hit, i) => {
          if (hit) this.covered[i] = 1;
        });
        done(
          reply.error !== undefined
            ? { error: reply.error, durationNs, output }
            : { resultSet: reply.resultSet, durationNs, output },
        );
      };
      const onCrash = (e: Error) => {
        this.discard(worker);
        done({ error: `evaluation crashed: ${e.message}`, durationNs: 0, output: "" });
      };
      const onExit = (code: number) => {
        this.discard(worker);
        done({
          error: `evaluation stopped: worker exited with code ${code}`,
          durationNs: 0,
          output: "",
        });
      };
      const timer = setTimeout(() => {
        this.discard(worker);
        done({
          error: `timed out after ${this.options.timeoutMs} ms`,
          durationNs: this.options.timeoutMs * 1e6,
          output: "",
        });
      }, this.options.timeoutMs);
      worker.on("message", onMessage);
      worker.once("error", onCrash);
      worker.once("exit", onExit);
      worker.postMessage({ type: "eval", id, entrypoint } satisfies WorkerRequest);
    });
  }

  async close(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (current) await (await current).worker.terminate();
    await this.spare?.terminate();
    this.spare = undefined;
  }

  /** Forgets the worker (the next evaluation starts a fresh one) and stops it. */
  private discard(worker: Worker): void {
    this.current = undefined;
    void worker.terminate();
  }

  private start(): Promise<Loaded> {
    // a spare that already stopped (threadId -1) is replaced; one that stops later is seen below
    const spare = this.spare;
    this.spare = undefined;
    const worker = spare && spare.threadId >= 0 ? spare : startTestWorker();
    return new Promise((resolve) => {
      const settle = (failure?: string) => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onCrash);
        worker.off("exit", onExit);
        if (failure !== undefined) void worker.terminate();
        resolve({ worker, failure });
      };
      const onMessage = (reply: WorkerReply) => {
        if (reply.type === "loaded") settle();
        else if (reply.type === "load-failed") settle(`policy failed to load: ${reply.message}`);
      };
      const onCrash = (e: Error) => settle(`test worker crashed while starting: ${e.message}`);
      const onExit = (code: number) =>
        settle(`test worker exited with code ${code} while starting`);
      const timer = setTimeout(
        () => settle(`test worker did not start within ${startupLimitMs} ms`),
        startupLimitMs,
      );
      worker.on("message", onMessage);
      worker.once("error", onCrash);
      worker.once("exit", onExit);
      const { coverage } = this.options;
      worker.postMessage({
        type: "load",
        wasm: this.wasm,
        data: this.options.data,
        strictBuiltinErrors: this.options.strictBuiltinErrors ?? false,
        hostBuiltins: this.options.hostBuiltins,
        ...this.options.limits,
        ...(coverage && { coverage: { address: coverage.address, length: coverage.lines.length } }),
      } satisfies WorkerRequest);
    });
  }
}
