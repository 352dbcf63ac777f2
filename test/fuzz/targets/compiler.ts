// Compiler (through rego/index.ts): random well-formed modules (module-generator.ts) must compile or
// throw a positioned RegoError, never another exception. Some programs also go through the Wasm
// build and one evaluation with opa-wasm, which must return a result set or a clean error.
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import {
  buildWasm,
  compileModules,
  compileQuery,
  hostBuiltins,
  parseModule,
  parseQuery,
  planPolicy,
} from "../../../rego/index.ts";
import { choiceSequenceArbitrary, renderModules } from "../module-generator.ts";
import {
  describeThrown,
  expectPositionedRegoError,
  isCrash,
  violation,
  type FuzzTarget,
} from "../target.ts";

export interface CompilerInput {
  /** the choice sequence the modules are rendered from */
  program: number[];
  /** also build the Wasm module and evaluate it (about 50 times the cost of compiling) */
  evaluate: boolean;
}

// loadPolicySync is in opa-wasm's CommonJS entry only (its ESM entry exports loadPolicy), and a
// fast-check property here is synchronous
const { loadPolicySync } = createRequire(import.meta.url)(
  "@open-policy-agent/opa-wasm",
) as typeof import("@open-policy-agent/opa-wasm");

const QUERY_FILE = "<query>";
const QUERY = "result = data.fz";
const exampleInput: unknown = JSON.parse(
  readFileSync(new URL("../../../examples/input.json", import.meta.url), "utf8"),
);

export const compilerInputArbitrary: fc.Arbitrary<CompilerInput> = fc.record({
  program: choiceSequenceArbitrary,
  evaluate: fc.oneof(
    { weight: 1, arbitrary: fc.constant(true) },
    { weight: 7, arbitrary: fc.constant(false) },
  ),
});

/** The stages of buildPolicy (rego/index.ts), run one by one so cheap runs can stop before Wasm. */
export function checkCompiles(input: CompilerInput): void {
  const files = renderModules(input.program);
  const sources = new Map(files.map((f) => [f.file, f.source]));
  sources.set(QUERY_FILE, QUERY);
  let wasm: Uint8Array;
  try {
    const compiled = compileModules(files.map((f) => parseModule(f.source, f.file)));
    const query = compileQuery(parseQuery(QUERY, QUERY_FILE), compiled);
    const ir = planPolicy(compiled, [{ name: "fz", query }], { coverage: false });
    if (!input.evaluate) return;
    wasm = buildWasm(ir, { strictBuiltinErrors: false });
  } catch (e) {
    expectPositionedRegoError(e, sources, "building the policy");
    return;
  }
  let policy;
  try {
    policy = loadPolicySync(wasm, { initial: 5, maximum: 1024 }, hostBuiltins());
  } catch (e) {
    violation(`opa-wasm cannot load the built module: ${describeThrown(e)}`);
  }
  try {
    const resultSet: unknown = policy.evaluate(exampleInput);
    if (!Array.isArray(resultSet))
      violation(
        `evaluation returned ${JSON.stringify(resultSet)?.slice(0, 200)}, not a result set`,
      );
  } catch (e) {
    if (isCrash(e)) violation(`evaluation crashed: ${describeThrown(e)}`);
  }
}

export const compilerTarget: FuzzTarget<CompilerInput> = {
  name: "compiler",
  summary:
    "generated modules compile (and evaluate) or throw a positioned RegoError (or a clean evaluation error)",
  async prepare() {
    return { arbitrary: compilerInputArbitrary, check: checkCompiles };
  },
};
