// npm run fuzz -- [--minutes N] [--target name]... [--seed S] [--path P] [--hang-seconds H]
//                 [--batch-seconds B]
// Loops over the targets (test/fuzz/targets/) until the time is spent, each batch in a worker
// thread watched for hangs. Crashes (properties that fail, with the shrunk counterexample) and
// hangs are saved under reports/fuzz/. With --seed and --path, replays one saved run of one target.
// Prints a line per target and, last, `fuzz: <executions> executions, <crashes> crashes, <hangs> hangs`.
// The exit code is 1 when a crash or a hang was found.
import { parseArgs } from "node:util";
import { randomInt } from "node:crypto";
import { TARGET_MODULES, TARGET_NAMES } from "./targets/index.ts";
import { TargetWorker, type BatchOutcome } from "./supervisor.ts";
import { saveFinding } from "./findings.ts";

interface Tally {
  executions: number;
  crashes: number;
  hangs: number;
  batches: number;
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0))
    throw new Error(`--${name} must be a positive number, got ${JSON.stringify(value)}`);
  return n;
}

function parse() {
  const { values } = parseArgs({
    options: {
      minutes: { type: "string" },
      target: { type: "string", multiple: true },
      seed: { type: "string" },
      path: { type: "string" },
      "hang-seconds": { type: "string" },
      "batch-seconds": { type: "string" },
    },
  });
  const targets = (values.target ?? TARGET_NAMES).flatMap((t) => t.split(","));
  for (const t of targets) {
    if (!TARGET_MODULES[t])
      throw new Error(
        `unknown target ${JSON.stringify(t)}: choose from ${TARGET_NAMES.join(", ")}`,
      );
  }
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed))
    throw new Error(`--seed must be an integer, got ${JSON.stringify(values.seed)}`);
  if (values.path !== undefined && (seed === undefined || targets.length !== 1))
    throw new Error("--path replays one run: give it with --seed and a single --target");
  return {
    targets,
    minutes: positive("minutes", values.minutes, 1),
    seed,
    path: values.path,
    hangMs: positive("hang-seconds", values["hang-seconds"], 20) * 1000,
    batchMs: positive("batch-seconds", values["batch-seconds"], 15) * 1000,
  };
}

function record(target: string, outcome: BatchOutcome, tally: Tally): void {
  tally.batches++;
  tally.executions += outcome.executions;
  if (outcome.crash) {
    tally.crashes++;
    const file = saveFinding({ target, kind: "crash", seed: outcome.seed, ...outcome.crash });
    console.log(
      `${target}: CRASH ${outcome.crash.error}\n  counterexample: ${outcome.crash.counterexample.slice(0, 500)}\n  saved: ${file}`,
    );
  }
  if (outcome.hang) {
    tally.hangs++;
    const { path, counterexample, message, whileShrinking } = outcome.hang;
    const file = saveFinding({
      target,
      kind: "hang",
      seed: outcome.seed,
      ...(path !== undefined ? { path } : {}),
      error: `${message}${whileShrinking ? " (while shrinking the failure at this path)" : ""}`,
      ...(counterexample !== undefined ? { counterexample } : {}),
    });
    console.log(
      `${target}: HANG ${message}\n  input: ${(counterexample ?? "unknown").slice(0, 500)}\n  saved: ${file}`,
    );
  }
}

async function main(): Promise<void> {
  const options = parse();
  const workers = new Map(
    options.targets.map((name) => [
      name,
      new TargetWorker({ name, module: TARGET_MODULES[name]! }, options.hangMs),
    ]),
  );
  const tallies = new Map(
    options.targets.map((name) => [name, { executions: 0, crashes: 0, hangs: 0, batches: 0 }]),
  );
  try {
    if (options.path !== undefined) {
      const [name] = options.targets;
      const outcome = await workers.get(name!)!.runBatch({
        seed: options.seed!,
        path: options.path,
        numRuns: 1,
      });
      record(name!, outcome, tallies.get(name!)!);
    } else {
      const deadline = Date.now() + options.minutes * 60_000;
      let nextSeed = options.seed;
      while (Date.now() < deadline) {
        for (const name of options.targets) {
          const left = deadline - Date.now();
          if (left <= 0) break;
          const seed = nextSeed ?? randomInt(2 ** 31);
          if (nextSeed !== undefined) nextSeed++;
          const outcome = await workers.get(name)!.runBatch({
            seed,
            timeLimitMs: Math.min(options.batchMs, left),
          });
          record(name, outcome, tallies.get(name)!);
        }
      }
    }
  } finally {
    await Promise.all([...workers.values()].map((w) => w.close()));
  }
  const total: Tally = { executions: 0, crashes: 0, hangs: 0, batches: 0 };
  for (const [name, t] of tallies) {
    console.log(
      `${name.padEnd(10)} ${String(t.executions).padStart(9)} executions  ${t.crashes} crashes  ${t.hangs} hangs  (${t.batches} batches)`,
    );
    total.executions += t.executions;
    total.crashes += t.crashes;
    total.hangs += t.hangs;
  }
  console.log(
    `fuzz: ${total.executions} executions, ${total.crashes} crashes, ${total.hangs} hangs`,
  );
  if (total.crashes + total.hangs > 0) process.exitCode = 1;
}

await main();
