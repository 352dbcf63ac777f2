// Runs OPA's conformance cases of the language-core topics through parse -> compile -> plan ->
// the test IR interpreter, and prints pass counts per topic (a planner check without Wasm).
//   node --experimental-transform-types test/rego/plan/conformance-oracle.ts [topic ...] [--verbose]
// (GATEHOUSE_PLAN_CORPUS=<dir> reads the topics from another folder)
import { join } from "node:path";
import { loadCases, type ConformanceCase as Case } from "../../conformance/cases.ts";
import { parseModule, parseQuery } from "../../../rego/syntax/index.ts";
import { compileModules, compileQuery } from "../../../rego/compile/index.ts";
import { planPolicy } from "../../../rego/plan/index.ts";
import { IRInterpreter, IRRuntimeError } from "./ir-interpreter.ts";
import { canonical, fromJSON } from "./ir-values.ts";

export const LANGUAGE_CORE_TOPICS = [
  "completedoc",
  "partialsetdoc",
  "partialobjectdoc",
  "virtualdocs",
  "baseandvirtualdocs",
  "elsekeyword",
  "defaultkeyword",
  "functions",
  "comprehensions",
  "every",
  "negation",
  "withkeyword",
  "refheads",
  "nestedreferences",
  "varreferences",
  "eqexpr",
  "disjunction",
  "dataderef",
  "inputvalues",
];

const CORPUS =
  process.env.GATEHOUSE_PLAN_CORPUS ??
  join(import.meta.dirname, "../../../../shared/conformance/opa");

type Outcome = { status: "pass" } | { status: "fail" | "skip"; reason: string };

function runCase(c: Case): Outcome {
  let input = c.input;
  if (c.input_term !== undefined) {
    try {
      input = JSON.parse(c.input_term);
    } catch {
      return { status: "skip", reason: "input_term is not JSON" };
    }
  }
  const wantsError =
    (c.want_error_code !== undefined || c.want_error !== undefined) && !c.strict_error;
  let rows: unknown[];
  try {
    const modules = (c.modules ?? []).map((src, i) => parseModule(src, `module-${i}.rego`));
    const compiled = compileModules(modules);
    const query = compileQuery(parseQuery(c.query, "<query>"), compiled);
    const ir = planPolicy(compiled, [{ name: "q", query }]);
    rows = new IRInterpreter(ir).eval(0, input, c.data ?? {});
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.message.includes("not in the test interpreter"))
      return { status: "skip", reason: err.message };
    if (!wantsError)
      return { status: "fail", reason: `error: ${err.message.replace(/\n/g, " | ")}` };
    if (
      c.want_error_code &&
      err.code !== c.want_error_code &&
      !(e instanceof IRRuntimeError && err.message.includes(c.want_error_code))
    ) {
      return {
        status: "fail",
        reason: `want ${c.want_error_code}, got ${err.message.replace(/\n/g, " | ")}`,
      };
    }
    if (c.want_error && !err.message.includes(c.want_error))
      return { status: "fail", reason: `want error "${c.want_error}", got ${err.message}` };
    return { status: "pass" };
  }
  if (wantsError)
    return {
      status: "fail",
      reason: `want error ${c.want_error_code ?? c.want_error}, got ${JSON.stringify(rows)}`,
    };
  if (c.want_defined !== undefined) {
    return rows.length > 0 === c.want_defined
      ? { status: "pass" }
      : { status: "fail", reason: `defined: ${rows.length > 0}` };
  }
  const sortArrays = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(sortArrays).sort((a, b) => (canonical(fromJSON(a)) < canonical(fromJSON(b)) ? -1 : 1))
      : x !== null && typeof x === "object"
        ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, sortArrays(v)]))
        : x;
  const key = (row: unknown): string =>
    canonical(fromJSON(c.sort_bindings ? sortArrays(row) : row));
  const got = rows.map(key).sort();
  const want = (c.want_result ?? []).map(key).sort();
  return JSON.stringify(got) === JSON.stringify(want)
    ? { status: "pass" }
    : {
        status: "fail",
        reason: `want ${JSON.stringify(c.want_result)}, got ${JSON.stringify(rows)}`,
      };
}

export function runTopic(topic: string): { note: string; outcome: Outcome }[] {
  return loadCases(join(CORPUS, topic)).map((c) => ({ note: c.note, outcome: runCase(c) }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const verbose = args.includes("--verbose");
  const topics = args.filter((a) => !a.startsWith("--"));
  let pass = 0;
  let total = 0;
  for (const topic of topics.length > 0 ? topics : LANGUAGE_CORE_TOPICS) {
    const results = runTopic(topic);
    const passed = results.filter((r) => r.outcome.status === "pass").length;
    const skipped = results.filter((r) => r.outcome.status === "skip").length;
    pass += passed;
    total += results.length;
    console.log(`${topic}: ${passed}/${results.length}${skipped ? ` (${skipped} skipped)` : ""}`);
    if (verbose) {
      for (const r of results)
        if (r.outcome.status !== "pass")
          console.log(`  ${r.outcome.status} ${r.note}: ${r.outcome.reason.slice(0, 300)}`);
    }
  }
  console.log(`total: ${pass}/${total}`);
}
