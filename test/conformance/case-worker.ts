// Worker-thread entry: evaluates the cases the pool sends, one at a time.
import { parentPort } from "node:worker_threads";
import type { ConformanceCase } from "./cases.ts";
import type { CaseOutcome } from "./evaluate-case.ts";

export interface CaseRequest {
  id: number;
  kase: ConformanceCase;
}
export type WorkerMessage =
  { type: "ready" } | { type: "result"; id: number; outcome: CaseOutcome };

const port = parentPort!;

// A pipeline that fails to load (a part not written yet, a syntax error) fails each case, not the run.
let evaluateCase: ((c: ConformanceCase) => Promise<CaseOutcome>) | undefined;
let loadFailure = "";
try {
  ({ evaluateCase } = await import("./evaluate-case.ts"));
} catch (e) {
  loadFailure = `pipeline failed to load: ${(e as Error).message ?? String(e)}`;
}

port.on("message", async ({ id, kase }: CaseRequest) => {
  let outcome: CaseOutcome;
  try {
    outcome = evaluateCase ? await evaluateCase(kase) : { status: "fail", reason: loadFailure };
  } catch (e) {
    outcome = { status: "fail", reason: `runner error: ${(e as Error).message ?? String(e)}` };
  }
  port.postMessage({ type: "result", id, outcome } satisfies WorkerMessage);
});
port.postMessage({ type: "ready" } satisfies WorkerMessage);
