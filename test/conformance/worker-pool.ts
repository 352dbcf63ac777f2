// A small pool of worker threads that evaluate conformance cases with a per-case time limit.
// A case that hangs (a Wasm loop never returns) or crashes its worker only fails that case: the
// worker is terminated and a fresh one is started for the next case.
// The limit counts CPU time, not wall time, so a busy machine cannot time a case out: when the
// limit has passed on the wall clock, the case fails only if this process (its workers included)
// has also spent that much CPU time since the case started; otherwise the check waits for the rest.
// The process's CPU time bounds the worker's from above, so a hung case is still caught.
import { Worker } from "node:worker_threads";
import { TYPESCRIPT_NODE_FLAGS } from "../../rego/node-typescript.ts";
import type { ConformanceCase } from "./cases.ts";
import type { CaseRequest, WorkerMessage } from "./case-worker.ts";
import type { CaseOutcome } from "./evaluate-case.ts";

const workerEntry = new URL("./case-worker.ts", import.meta.url);

/** CPU time of this process (every thread), in milliseconds. */
function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
/** Loading the toolchain into a fresh worker is not part of a case's time. */
const startupLimitMs = 120_000;

interface Task {
  kase: ConformanceCase;
  resolve: (outcome: CaseOutcome) => void;
}

interface Slot {
  worker?: Worker;
  ready: boolean;
  task?: Task;
  requestId?: number;
  timer?: NodeJS.Timeout;
}

export class CaseWorkerPool {
  private readonly slots: Slot[];
  private readonly queue: Task[] = [];
  private nextId = 0;

  constructor(
    size: number,
    private readonly caseLimitMs: number,
    /** the worker module (tests substitute one) */
    private readonly entry: URL = workerEntry,
  ) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => ({ ready: false }));
  }

  run(kase: ConformanceCase): Promise<CaseOutcome> {
    return new Promise((resolve) => {
      this.queue.push({ kase, resolve });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((slot) => this.stop(slot)));
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.task || this.queue.length === 0) continue;
      slot.task = this.queue.shift();
      if (!slot.worker) this.spawn(slot);
      else if (slot.ready) this.send(slot);
    }
  }

  private spawn(slot: Slot): void {
    const worker = new Worker(this.entry, {
      execArgv: [...TYPESCRIPT_NODE_FLAGS], // vitest's own TypeScript handling does not reach workers
      stdout: true, // policies' print() output goes nowhere
      resourceLimits: { maxOldGenerationSizeMb: 4096 }, // binaryen alone takes ~400 MB of heap
    });
    worker.stdout.resume();
    slot.worker = worker;
    slot.ready = false;
    slot.timer = setTimeout(
      () => this.fail(slot, `worker did not start within ${startupLimitMs} ms`),
      startupLimitMs,
    );

    worker.on("message", (message: WorkerMessage) => {
      if (slot.worker !== worker) return;
      if (message.type === "ready") {
        clearTimeout(slot.timer);
        slot.ready = true;
        if (slot.task) this.send(slot);
      } else if (slot.task && message.id === slot.requestId) {
        this.finish(slot, message.outcome);
      }
    });
    worker.on("error", (e) => {
      if (slot.worker === worker) this.fail(slot, `worker crashed: ${e.message}`);
    });
    worker.on("exit", (code) => {
      if (slot.worker === worker) this.fail(slot, `worker exited with code ${code}`);
    });
  }

  private send(slot: Slot): void {
    const request: CaseRequest = { id: this.nextId++, kase: slot.task!.kase };
    slot.requestId = request.id;
    const cpuAtStart = processCpuMs();
    const check = (waitMs: number) => {
      slot.timer = setTimeout(() => {
        const spent = processCpuMs() - cpuAtStart;
        if (spent >= this.caseLimitMs) {
          this.fail(slot, `timed out after ${this.caseLimitMs} ms of CPU time`);
        } else {
          check(Math.max(10, this.caseLimitMs - spent));
        }
      }, waitMs);
    };
    check(this.caseLimitMs);
    slot.worker!.postMessage(request);
  }

  /** Ends the slot's case as failed and throws its worker away. */
  private fail(slot: Slot, reason: string): void {
    void this.stop(slot);
    this.finish(slot, { status: "fail", reason });
  }

  private finish(slot: Slot, outcome: CaseOutcome): void {
    clearTimeout(slot.timer);
    const task = slot.task;
    slot.task = undefined;
    task?.resolve(outcome);
    this.dispatch();
  }

  private async stop(slot: Slot): Promise<void> {
    clearTimeout(slot.timer);
    const worker = slot.worker;
    slot.worker = undefined;
    slot.ready = false;
    if (worker) await worker.terminate();
  }
}
