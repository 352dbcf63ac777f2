// The policy compiler's worker thread (compile-worker.ts), one per process, started at the first
// revision and kept for the next ones (loading the toolchain takes longer than compiling a
// policy); revisions queue for it. A compile that outlives its limit or crashes ends the worker;
// the next revision starts a fresh one. Idle for a while, it stops and gives its memory back.
import { Worker } from "node:worker_threads";
import { TYPESCRIPT_NODE_FLAGS } from "../../rego/node-typescript.ts";
import type { CompileReply, CompileRequest } from "./compile-worker.ts";

const workerEntry = new URL("./compile-worker.ts", import.meta.url);

/** an idle compiler is stopped after this long, giving its memory back */
const IDLE_MS = 5 * 60_000;

class PolicyCompiler {
  private worker: Worker | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  /** Compiles and tests one revision's policy folders, after those queued before it. */
  compile(policyDirs: string[], timeLimitMs: number): Promise<CompileReply> {
    const run = this.queue.then(() => this.compileNow(policyDirs, timeLimitMs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async compileNow(policyDirs: string[], timeLimitMs: number): Promise<CompileReply> {
    clearTimeout(this.idleTimer);
    const worker = (this.worker ??= this.startWorker());
    let timer: NodeJS.Timeout | undefined;
    const settled = new Promise<CompileReply>((resolve) => {
      const fail = (why: string) => {
        this.stop(); // its state is unknown now
        resolve({ ok: false, stage: "policy", problems: [`the policy compiler ${why}`] });
      };
      timer = setTimeout(
        () => fail(`did not finish within ${timeLimitMs} ms (sync.compileTimeout)`),
        timeLimitMs,
      );
      worker.once("message", (reply: CompileReply) => resolve(reply));
      worker.once("error", (e) => fail(`failed: ${e.message}`));
      worker.once("exit", (code) => fail(`exited with code ${code}`));
    });
    worker.postMessage({ policyDirs } satisfies CompileRequest);
    try {
      return await settled;
    } finally {
      clearTimeout(timer);
      worker.removeAllListeners("message").removeAllListeners("exit");
      worker.removeAllListeners("error").on("error", () => {});
      this.idleTimer = setTimeout(() => this.stop(), IDLE_MS);
      this.idleTimer.unref();
    }
  }

  private stop(): void {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }

  private startWorker(): Worker {
    const worker = new Worker(workerEntry, {
      execArgv: [...TYPESCRIPT_NODE_FLAGS],
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
    });
    worker.unref(); // an idle compiler does not keep the process alive
    worker.on("error", () => {});
    return worker;
  }
}

export const policyCompiler = new PolicyCompiler();
