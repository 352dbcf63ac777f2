// Worker-thread entry: prepares one target, then runs the batches the supervisor sends. Before each
// execution it counts in the shared heartbeat, so the supervisor can tell a hang from a slow batch
// and knows which run hung.
import { parentPort, workerData } from "node:worker_threads";
import fc from "fast-check";
import { describeThrown, type FuzzProperty, type FuzzTarget } from "./target.ts";
import {
  EXECUTIONS,
  FIRST_FAILURE,
  type WorkerMessage,
  type WorkerRequest,
  type WorkerSetup,
} from "./protocol.ts";

/** A counterexample as text, at most this long (huge inputs are recipes, but strings may be long). */
const COUNTEREXAMPLE_LIMIT = 100_000;

function printable(value: unknown): string {
  let text: string;
  try {
    text = fc.stringify(value);
  } catch (e) {
    text = `<cannot print the value: ${describeThrown(e)}>`;
  }
  return text.length > COUNTEREXAMPLE_LIMIT
    ? `${text.slice(0, COUNTEREXAMPLE_LIMIT)}… (${text.length} characters)`
    : text;
}

function isTarget(v: unknown, name: string): v is FuzzTarget {
  return v !== null && typeof v === "object" && (v as FuzzTarget).name === name && "prepare" in v;
}

const port = parentPort!;
const setup = workerData as WorkerSetup;
const beat = new Int32Array(setup.heartbeat);
const target = Object.values(await import(setup.module)).find((v) => isTarget(v, setup.name));
if (!target) throw new Error(`${setup.module} exports no fuzz target named ${setup.name}`);
const property: FuzzProperty<unknown> = await (target as FuzzTarget).prepare();

function runBatch(request: Extract<WorkerRequest, { type: "batch" }>): WorkerMessage {
  Atomics.store(beat, EXECUTIONS, 0);
  Atomics.store(beat, FIRST_FAILURE, 0);
  const checked = fc.property(property.arbitrary, (value) => {
    const started = Atomics.add(beat, EXECUTIONS, 1) + 1;
    try {
      property.check(value);
    } catch (e) {
      Atomics.compareExchange(beat, FIRST_FAILURE, 0, started);
      throw e;
    }
  });
  const details = fc.check(checked, {
    seed: request.seed,
    numRuns: request.numRuns,
    ...(request.path !== undefined ? { path: request.path } : {}),
    ...(request.timeLimitMs !== undefined
      ? { interruptAfterTimeLimit: request.timeLimitMs, markInterruptAsFailure: false }
      : {}),
  });
  const executions = Atomics.load(beat, EXECUTIONS);
  if (!details.failed) return { type: "done", executions };
  return {
    type: "done",
    executions,
    failure: {
      path: details.counterexamplePath ?? "",
      counterexample: printable(details.counterexample?.[0]),
      error: describeThrown(details.errorInstance),
      shrinks: details.numShrinks,
    },
  };
}

function describeRun(seed: number, path: string): WorkerMessage {
  let captured: unknown;
  fc.check(
    fc.property(property.arbitrary, (value) => {
      captured = value;
    }),
    { seed, path, numRuns: 1 },
  );
  return { type: "described", counterexample: printable(captured) };
}

port.on("message", (request: WorkerRequest) => {
  port.postMessage(
    request.type === "batch" ? runBatch(request) : describeRun(request.seed, request.path),
  );
});
port.postMessage({ type: "ready" } satisfies WorkerMessage);
