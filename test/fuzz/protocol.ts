// Messages between the fuzz supervisor (supervisor.ts) and its worker threads (fuzz-worker.ts).

export interface WorkerSetup {
  /** the target module's URL and the target's name in it */
  module: string;
  name: string;
  heartbeat: SharedArrayBuffer;
}

/** heartbeat[EXECUTIONS]: executions started in this batch; heartbeat[FIRST_FAILURE]: the
 * execution count when the first failure happened (0: none yet; after it, fast-check shrinks) */
export const EXECUTIONS = 0;
export const FIRST_FAILURE = 1;
export const HEARTBEAT_BYTES = 2 * Int32Array.BYTES_PER_ELEMENT;

export type WorkerRequest =
  | { type: "batch"; seed: number; numRuns: number; timeLimitMs?: number; path?: string }
  | { type: "describe"; seed: number; path: string };

export interface FailureReport {
  path: string;
  counterexample: string;
  error: string;
  shrinks: number;
}

export type WorkerMessage =
  | { type: "ready" }
  | { type: "done"; executions: number; failure?: FailureReport }
  | { type: "described"; counterexample: string };
