// npm run bench:policy — compiles policies/ and evaluates gatehouse/decision through the unmodified
// @open-policy-agent/opa-wasm with a ~1 KB input. Prints compile time per stage (the first compile
// of the process, then the median of later ones; target: under 300 ms for the first), then p50/p99
// evaluation time and evaluations per second of the module with metering (the evaluation budget,
// rego/wasm/limits.ts) and without, interleaved round by round so both see the same machine, next to
// a baseline measured in the same run: a trivial policy evaluated with the same input, which is the
// cost of the SDK and of JSON in and out of the module. Ends with the medians over the rounds, the
// cost of metering, and the budget the default policy spends on a tools/call and a tools/list.
import { readFileSync } from "node:fs";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import {
  buildWasm,
  compileModules,
  compileQuery,
  DEFAULT_EVAL_BUDGET,
  hostBuiltins,
  ModuleLimits,
  parseModule,
  parseQuery,
  planPolicy,
} from "../../rego/index.ts";
import { loadPolicyDirectory } from "../../rego/bundle/index.ts";
import { runtimeImage } from "../../rego/wasm/binary/runtime-image.ts";
import { runtimeWasm } from "../../rego/wasm/runtime-wasm.ts";
import { buildDecisionInput } from "../../gateway/policy/input.ts";

const ENTRYPOINT = "gatehouse/decision";
const ROUNDS = 7;
const WARM_COMPILES = 5;
const FIRST_COMPILE_TARGET_MS = 300;
const EVALS_PER_ROUND = 4000;
/** metering may cost at most this share of the decision's p50 */
const METERING_TARGET = 0.1;

function timed<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function median(xs: number[]): number {
  return percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
}

function compile(files: { file: string; source: string }[], entrypoint: string) {
  const [modules, parseMs] = timed(() => files.map((f) => parseModule(f.source, f.file)));
  const [compiled, compileMs] = timed(() => compileModules(modules));
  const [ir, planMs] = timed(() => {
    const query = compileQuery(
      parseQuery(`result = data.${entrypoint.replaceAll("/", ".")}`),
      compiled,
    );
    return planPolicy(compiled, [{ name: entrypoint, query }]);
  });
  const [wasm, wasmMs] = timed(() => buildWasm(ir, { strictBuiltinErrors: false }));
  const unmetered = buildWasm(ir, { strictBuiltinErrors: false, meter: false });
  return { wasm, unmetered, parseMs, compileMs, planMs, wasmMs };
}

type Loaded = Awaited<ReturnType<typeof loadPolicy>>;

function measure(policy: Loaded, input: unknown, entrypoint: string | number): number[] {
  const samples: number[] = [];
  for (let i = 0; i < EVALS_PER_ROUND; i++) {
    const start = process.hrtime.bigint();
    policy.evaluate(input, entrypoint);
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return samples;
}

interface Summary {
  p50: number;
  p99: number;
  perSecond: number;
}

function summary(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = samples.reduce((a, b) => a + b, 0);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    perSecond: (samples.length / total) * 1e6,
  };
}

const cell = (s: Summary) =>
  `${s.p50.toFixed(1).padStart(6)} / ${s.p99.toFixed(1).padEnd(7)} ${s.perSecond.toFixed(0).padStart(6)}`;

const directory = loadPolicyDirectory(["policies"]);
const sources = directory.files.filter((f) => !f.file.endsWith("_test.rego"));
const lines = sources.reduce((n, f) => n + f.source.split("\n").length, 0);
const input = JSON.parse(readFileSync("examples/input.json", "utf8"));
input.mcp.arguments.content = "x".repeat(330); // brings the JSON input to ~1 KB
const inputBytes = JSON.stringify(input).length;

// the runtime is read and decoded once per process, by the first link
const [, runtimeMs] = timed(() => runtimeImage(runtimeWasm()));
const decision = compile(sources, ENTRYPOINT);
const warm = Array.from({ length: WARM_COMPILES }, () => compile(sources, ENTRYPOINT));
const baseline = compile(
  [{ file: "baseline.rego", source: "package baseline\n\nx := 1\n" }],
  "baseline/x",
);

async function loadDecision(wasm: Uint8Array): Promise<Loaded> {
  const policy = await loadPolicy(wasm, undefined, hostBuiltins());
  policy.setData(directory.data);
  const result = policy.evaluate(input, ENTRYPOINT) as { result: { allow: boolean } }[];
  if (result[0]?.result.allow !== true)
    throw new Error(`unexpected decision: ${JSON.stringify(result)}`);
  return policy;
}

const metered = await loadDecision(decision.wasm);
const unmetered = await loadDecision(decision.unmetered);
const baselinePolicy = await loadPolicy(baseline.wasm, undefined, hostBuiltins());

console.log(
  `policies/: ${sources.length} modules, ${lines} lines; data ${JSON.stringify(directory.data).length} bytes; input ${inputBytes} bytes`,
);
type Stage = "parseMs" | "compileMs" | "planMs" | "wasmMs";
const stages = (pick: (stage: Stage) => number) =>
  `parse ${pick("parseMs").toFixed(1)} ms, compile ${pick("compileMs").toFixed(1)} ms, plan ${pick("planMs").toFixed(1)} ms, wasm (code generation and link) ${pick("wasmMs").toFixed(1)} ms`;
const firstTotal =
  runtimeMs + decision.parseMs + decision.compileMs + decision.planMs + decision.wasmMs;
console.log(
  `first compile: read and decode the runtime ${runtimeMs.toFixed(1)} ms, ${stages((s) => decision[s])}; total ${firstTotal.toFixed(0)} ms (target under ${FIRST_COMPILE_TARGET_MS} ms: ${firstTotal < FIRST_COMPILE_TARGET_MS ? "met" : "NOT met"}); module ${decision.wasm.length} bytes, unmetered ${decision.unmetered.length}`,
);
console.log(
  `later compiles, median of ${WARM_COMPILES}: ${stages((s) => median(warm.map((c) => c[s])))}`,
);
console.log(
  "round  metered p50/p99 µs evals/s  unmetered p50/p99 µs evals/s  baseline p50/p99 µs evals/s  metered/unmetered p50",
);
const rounds: { metered: Summary; unmetered: Summary; baseline: Summary }[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  // alternate which of the two goes first, so neither always runs on a warmer machine
  let m: number[];
  let u: number[];
  if (round % 2 === 1) {
    m = measure(metered, input, ENTRYPOINT);
    u = measure(unmetered, input, ENTRYPOINT);
  } else {
    u = measure(unmetered, input, ENTRYPOINT);
    m = measure(metered, input, ENTRYPOINT);
  }
  const b = measure(baselinePolicy, input, "baseline/x");
  const r = { metered: summary(m), unmetered: summary(u), baseline: summary(b) };
  rounds.push(r);
  console.log(
    `${String(round).padStart(5)}  ${cell(r.metered)}   ${cell(r.unmetered)}     ${cell(r.baseline)}    ${((r.metered.p50 / r.unmetered.p50 - 1) * 100).toFixed(1)}%`,
  );
}

const med = (pick: (r: (typeof rounds)[number]) => number) => median(rounds.map(pick));
const m50 = med((r) => r.metered.p50);
const m99 = med((r) => r.metered.p99);
const u50 = med((r) => r.unmetered.p50);
const u99 = med((r) => r.unmetered.p99);
const b50 = med((r) => r.baseline.p50);
const b99 = med((r) => r.baseline.p99);
const overhead = m50 / u50 - 1;
console.log(
  `median of ${ROUNDS} rounds: metered p50 ${m50.toFixed(1)} µs, p99 ${m99.toFixed(1)} µs; unmetered p50 ${u50.toFixed(1)} µs, p99 ${u99.toFixed(1)} µs; baseline (SDK + JSON in/out) p50 ${b50.toFixed(1)} µs, p99 ${b99.toFixed(1)} µs; policy work ≈ ${(m50 - b50).toFixed(1)} µs of the p50`,
);
console.log(
  `metering costs ${(overhead * 100).toFixed(1)}% of the decision p50 (target at most ${METERING_TARGET * 100}%): ${overhead <= METERING_TARGET ? "met" : "NOT met"}`,
);

// what the default policy spends of its budget
const limits = new ModuleLimits(metered);
const spent = (doc: unknown) => {
  metered.evaluate(doc, ENTRYPOINT);
  return limits.budgetUsed()!;
};
const listInput = (n: number) =>
  buildDecisionInput({
    request: { id: "bench", time: new Date("2026-11-24T10:00:00Z") },
    principal: { sub: "alice", groups: ["eng"], auth: "jwt" },
    mcp: { method: "tools/list" },
    list: Array.from({ length: n }, (_, i) => ({
      server: i % 2 === 0 ? "filesystem" : "github",
      name: `tool_${i}`,
      risk: (["read", "write", "destructive"] as const)[i % 3],
      tags: ["bench"],
    })),
  });
console.log(
  `budget spent (default budget ${DEFAULT_EVAL_BUDGET}): tools/call (examples/input.json) ${spent(JSON.parse(readFileSync("examples/input.json", "utf8")))}, tools/list of 10 tools ${spent(listInput(10))}, of 100 ${spent(listInput(100))}, of 1000 ${spent(listInput(1000))}`,
);
