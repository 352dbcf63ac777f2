// npm run bench:policy — compiles policies/ and evaluates gatehouse/decision through the unmodified
// @open-policy-agent/opa-wasm with a ~1 KB input. Prints compile time per stage, p50/p99 evaluation
// time and evaluations per second, next to a baseline measured in the same run: a trivial policy
// evaluated with the same input, which is the cost of the SDK and of JSON in and out of the module.
import { readFileSync } from "node:fs";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import {
  buildWasm,
  compileModules,
  compileQuery,
  hostBuiltins,
  parseModule,
  parseQuery,
  planPolicy,
} from "../../rego/index.ts";
import { loadPolicyDirectory } from "../../rego/bundle/index.ts";

const ENTRYPOINT = "gatehouse/decision";
const ROUNDS = 5;
const EVALS_PER_ROUND = 4000;

function timed<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
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
  return { wasm, parseMs, compileMs, planMs, wasmMs };
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

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = samples.reduce((a, b) => a + b, 0);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    perSecond: (samples.length / total) * 1e6,
  };
}

const directory = loadPolicyDirectory(["policies"]);
const sources = directory.files.filter((f) => !f.file.endsWith("_test.rego"));
const lines = sources.reduce((n, f) => n + f.source.split("\n").length, 0);
const input = JSON.parse(readFileSync("examples/input.json", "utf8"));
input.mcp.arguments.content = "x".repeat(330); // brings the JSON input to ~1 KB
const inputBytes = JSON.stringify(input).length;

const decision = compile(sources, ENTRYPOINT);
const baseline = compile(
  [{ file: "baseline.rego", source: "package baseline\n\nx := 1\n" }],
  "baseline/x",
);

const decisionPolicy = await loadPolicy(decision.wasm, undefined, hostBuiltins());
decisionPolicy.setData(directory.data);
const baselinePolicy = await loadPolicy(baseline.wasm, undefined, hostBuiltins());
const result = decisionPolicy.evaluate(input, ENTRYPOINT) as { result: { allow: boolean } }[];
if (result[0]?.result.allow !== true)
  throw new Error(`unexpected decision: ${JSON.stringify(result)}`);

console.log(
  `policies/: ${sources.length} modules, ${lines} lines; data ${JSON.stringify(directory.data).length} bytes; input ${inputBytes} bytes`,
);
console.log(
  `compile: parse ${decision.parseMs.toFixed(1)} ms, compile ${decision.compileMs.toFixed(1)} ms, plan ${decision.planMs.toFixed(1)} ms, wasm ${decision.wasmMs.toFixed(1)} ms (module ${decision.wasm.length} bytes)`,
);
console.log(
  "round  decision p50/p99 µs  evals/s   baseline p50/p99 µs  evals/s   decision/baseline p50",
);
const decisionAll: number[] = [];
const baselineAll: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const d = measure(decisionPolicy, input, ENTRYPOINT);
  const b = measure(baselinePolicy, input, "baseline/x");
  decisionAll.push(...d);
  baselineAll.push(...b);
  const ds = summary(d);
  const bs = summary(b);
  console.log(
    `${String(round).padStart(5)}  ${ds.p50.toFixed(1).padStart(7)} / ${ds.p99.toFixed(1).padEnd(8)} ${ds.perSecond.toFixed(0).padStart(7)}   ${bs.p50.toFixed(1).padStart(7)} / ${bs.p99.toFixed(1).padEnd(8)} ${bs.perSecond.toFixed(0).padStart(7)}   ${(ds.p50 / bs.p50).toFixed(2)}x`,
  );
}
const ds = summary(decisionAll);
const bs = summary(baselineAll);
console.log(
  `all    decision p50 ${ds.p50.toFixed(1)} µs, p99 ${ds.p99.toFixed(1)} µs, ${ds.perSecond.toFixed(0)} evals/s; baseline (SDK + JSON in/out) p50 ${bs.p50.toFixed(1)} µs, p99 ${bs.p99.toFixed(1)} µs; policy work ≈ ${(ds.p50 - bs.p50).toFixed(1)} µs of the p50`,
);
