// Runs a fuzz target's batches in a worker thread and watches it: an execution that makes no
// progress within the hang limit is a hang, reported with the run that hung, and the worker is
// replaced; a worker that dies is a crash. The fuzzer itself never blocks.
import { Worker } from "node:worker_threads";
import { TYPESCRIPT_NODE_FLAGS } from "../../rego/node-typescript.ts";
import {
  EXECUTIONS,
  FIRST_FAILURE,
  HEARTBEAT_BYTES,
  type FailureReport,
  type WorkerMessage,
  type WorkerRequest,
  type WorkerSetup,
} from "./protocol.ts";

const workerEntry = new URL("./fuzz-worker.ts", import.meta.url);
/** Preparing a target (reading the seed corpus, compiling the default policy) is not a hang. */
const STARTUP_LIMIT_MS = 180_000;
const POLL_MS = 100;

export interface TargetRef {
  name: string;
  /** the module that exports a FuzzTarget with this name */
  module: URL;
}

export interface BatchRequest {
  seed: number;
  /** at most this many runs (default: as many as the time limit allows) */
  numRuns?: number;
  timeLimitMs?: number;
  /** replay one run: the `path` of a saved counterexample */
  path?: string;
}

export interface Hang {
  /** fast-check's path of the run that hung (replays it), when known */
  path?: string;
  /** the hang happened while shrinking the failure at `path` */
  whileShrinking: boolean;
  counterexample?: string;
  message: string;
}

export interface BatchOutcome {
  seed: number;
  executions: number;
  crash?: FailureReport;
  hang?: Hang;
}

interface Running {
  worker: Worker;
  heartbeat: Int32Array;
  ready: Promise<void>;
}

export class TargetWorker {
  private running?: Running;

  constructor(
    readonly target: TargetRef,
    /** an execution without progress for this long is a hang */
    readonly hangLimitMs: number,
  ) {}

  async runBatch(request: BatchRequest): Promise<BatchOutcome> {
    const numRuns = request.numRuns ?? 1_000_000_000;
    const message: WorkerRequest = {
      type: "batch",
      seed: request.seed,
      numRuns,
      ...(request.timeLimitMs !== undefined ? { timeLimitMs: request.timeLimitMs } : {}),
      ...(request.path !== undefined ? { path: request.path } : {}),
    };
    const running = await this.start();
    const reply = await this.exchange(running, message);
    if (reply.type === "done") {
      return {
        seed: request.seed,
        executions: reply.executions,
        ...(reply.failure ? { crash: reply.failure } : {}),
      };
    }
    const stopped =
      reply.type === "hang" || reply.type === "died"
        ? reply
        : { type: "died" as const, message: `the worker answered ${reply.type} to a batch` };
    const executions = Atomics.load(running.heartbeat, EXECUTIONS);
    const firstFailure = Atomics.load(running.heartbeat, FIRST_FAILURE);
    await this.stop();
    // a run index is the execution count before it; a replayed path names its own run
    const runIndex = (firstFailure || executions) - 1;
    const path = request.path ?? (runIndex >= 0 ? String(runIndex) : undefined);
    if (stopped.type === "hang") {
      const counterexample =
        path === undefined ? undefined : await this.describe(request.seed, path);
      return {
        seed: request.seed,
        executions,
        hang: {
          ...(path !== undefined ? { path } : {}),
          whileShrinking: firstFailure > 0,
          ...(counterexample !== undefined ? { counterexample } : {}),
          message: stopped.message,
        },
      };
    }
    const counterexample =
      path === undefined ? "" : ((await this.describe(request.seed, path)) ?? "");
    return {
      seed: request.seed,
      executions,
      crash: { path: path ?? "", counterexample, error: stopped.message, shrinks: 0 },
    };
  }

  async close(): Promise<void> {
    await this.stop();
  }

  /** The value of one run, generated again by a fresh worker (a hung one cannot say). */
  private async describe(seed: number, path: string): Promise<string | undefined> {
    const running = await this.start();
    const reply = await this.exchange(running, { type: "describe", seed, path });
    if (reply.type === "described") return reply.counterexample;
    await this.stop();
    return undefined;
  }

  private start(): Promise<Running> {
    if (this.running) return this.running.ready.then(() => this.running!);
    const heartbeat = new SharedArrayBuffer(HEARTBEAT_BYTES);
    const setup: WorkerSetup = {
      module: this.target.module.href,
      name: this.target.name,
      heartbeat,
    };
    const worker = new Worker(workerEntry, {
      workerData: setup,
      execArgv: [...TYPESCRIPT_NODE_FLAGS], // vitest's own TypeScript handling does not reach workers
      stdout: true, // policies' print() output goes nowhere
      resourceLimits: { maxOldGenerationSizeMb: 4096 }, // binaryen alone takes ~400 MB of heap
    });
    worker.stdout.resume();
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `fuzz target ${this.target.name}: worker did not start within ${STARTUP_LIMIT_MS} ms`,
          ),
        );
      }, STARTUP_LIMIT_MS);
      const settle = (error?: Error) => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        if (error) reject(error);
        else resolve();
      };
      const onMessage = (m: WorkerMessage) => m.type === "ready" && settle();
      const onError = (e: Error) =>
        settle(
          new Error(`fuzz target ${this.target.name} failed to prepare: ${e.stack ?? e.message}`),
        );
      const onExit = (code: number) =>
        settle(
          new Error(
            `fuzz target ${this.target.name}: worker exited with code ${code} while preparing`,
          ),
        );
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
    });
    this.running = { worker, heartbeat: new Int32Array(heartbeat), ready };
    ready.catch(() => void this.stop());
    return ready.then(() => this.running!);
  }

  /** Sends one request; settles with the reply, a hang, or the worker's death. */
  private exchange(
    running: Running,
    request: WorkerRequest,
  ): Promise<WorkerMessage | { type: "hang" | "died"; message: string }> {
    const { worker, heartbeat } = running;
    return new Promise((resolve) => {
      let seen = Atomics.load(heartbeat, EXECUTIONS);
      let lastProgress = Date.now();
      const poll = setInterval(() => {
        const now = Atomics.load(heartbeat, EXECUTIONS);
        if (now !== seen) {
          seen = now;
          lastProgress = Date.now();
        } else if (Date.now() - lastProgress > this.hangLimitMs) {
          finish({
            type: "hang",
            message: `no progress for ${this.hangLimitMs} ms after execution ${now}`,
          });
        }
      }, POLL_MS);
      const finish = (reply: WorkerMessage | { type: "hang" | "died"; message: string }) => {
        clearInterval(poll);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        resolve(reply);
      };
      const onMessage = (m: WorkerMessage) => finish(m);
      const onError = (e: Error) =>
        finish({ type: "died", message: `the worker died: ${e.stack ?? e.message}` });
      const onExit = (code: number) =>
        finish({ type: "died", message: `the worker exited with code ${code}` });
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      worker.postMessage(request);
    });
  }

  private async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (running) await running.worker.terminate();
  }
}
