// Runs one conformance case through Gatehouse's pipeline and the unmodified opa-wasm SDK.
// Runs inside a worker thread (see case-worker.ts), so it may hang or crash without harm.
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { buildPolicy, hostBuiltins, RegoError } from "../../rego/index.ts";
import { skipReason, type ConformanceCase } from "./cases.ts";
import { errorMismatch, parseErrorText, resultSetMismatch, type ActualError } from "./compare.ts";
import { inputTermToJson } from "./input-term.ts";

export type CaseStatus = "pass" | "fail" | "skip";

export interface CaseOutcome {
  status: CaseStatus;
  reason?: string;
}

const queryName = "q";

export async function evaluateCase(c: ConformanceCase): Promise<CaseOutcome> {
  const skip = skipReason(c);
  if (skip) return { status: "skip", reason: skip };
  const input = readInput(c);
  if ("skip" in input) return { status: "skip", reason: input.skip };

  const strictBuiltinErrors = c.strict_error === true;
  const run = await runCase(
    c,
    input.text ?? input.value,
    strictBuiltinErrors,
    input.text !== undefined,
  );
  if ("crash" in run) return { status: "fail", reason: run.crash };

  const wantsError = c.want_error !== undefined || c.want_error_code !== undefined;
  if (wantsError) {
    if (!("error" in run)) {
      return {
        status: "fail",
        reason: `expected error ${c.want_error_code ?? ""} ${JSON.stringify(c.want_error ?? "")}, got result ${JSON.stringify(run.result)}`,
      };
    }
    const mismatch = errorMismatch({ code: c.want_error_code, text: c.want_error }, run.error);
    return mismatch ? { status: "fail", reason: mismatch } : { status: "pass" };
  }
  if ("error" in run) return { status: "fail", reason: `unexpected error: ${run.error.text}` };

  if (c.want_result !== undefined) {
    const mismatch = resultSetMismatch(c.want_result, run.result, c.sort_bindings === true);
    if (mismatch) return { status: "fail", reason: mismatch };
  }
  if (c.want_defined !== undefined) {
    const defined = Array.isArray(run.result) && run.result.length > 0;
    if (defined !== c.want_defined) {
      return {
        status: "fail",
        reason: `expected ${c.want_defined ? "defined" : "undefined"}, got ${JSON.stringify(run.result)}`,
      };
    }
  }
  return { status: "pass" };
}

/** The input as the SDK takes it: JSON text, or Rego value text for terms holding sets. */
function readInput(c: ConformanceCase): { value: unknown; text?: string } | { skip: string } {
  if (c.input_term !== undefined) {
    const converted = inputTermToJson(c.input_term);
    if ("json" in converted) return { value: converted.json };
    if ("regoText" in converted) return { value: undefined, text: converted.regoText };
    return { skip: converted.unsupported };
  }
  return { value: c.input };
}

type RunResult = { result: unknown } | { error: ActualError } | { crash: string };

async function runCase(
  c: ConformanceCase,
  input: unknown,
  strictBuiltinErrors: boolean,
  inputIsText = false,
): Promise<RunResult> {
  let wasm: Uint8Array;
  try {
    const files = (c.modules ?? []).map((source, i) => ({ file: `test-${i}.rego`, source }));
    wasm = buildPolicy(files, {
      queries: [{ name: queryName, query: c.query }],
      strictBuiltinErrors,
    }).wasm;
  } catch (e) {
    if (e instanceof RegoError) return { error: { code: e.code, text: e.message } };
    return { crash: `build crashed: ${describe(e)}` };
  }

  let policy: Awaited<ReturnType<typeof loadPolicy>>;
  try {
    // OPA's own runner has its test-only builtins (test.sleep)
    const builtins = hostBuiltins({ strictBuiltinErrors, testBuiltins: true });
    policy = await loadPolicy(wasm, undefined, builtins);
  } catch (e) {
    return { crash: `opa-wasm could not load the module: ${describe(e)}` };
  }

  try {
    if (c.data !== undefined) policy.setData(c.data as object);
  } catch (e) {
    return { crash: `setData failed: ${describe(e)}` };
  }

  try {
    // The SDK skips falsy inputs (false, 0, "", null); JSON text in an ArrayBuffer always goes through.
    const inputArg =
      input === undefined
        ? undefined
        : inputIsText
          ? textBuffer(input as string)
          : jsonBuffer(input);
    return { result: policy.evaluate(inputArg, queryName) };
  } catch (e) {
    // the SDK's JSON.parse of a malformed result document is the module's fault, not an eval error
    if (e instanceof SyntaxError) return { crash: `the result is not valid JSON: ${e.message}` };
    return { error: parseErrorText(describe(e)) };
  }
}

const jsonBuffer = (value: unknown): ArrayBuffer => textBuffer(JSON.stringify(value));

function textBuffer(text: string): ArrayBuffer {
  const bytes = new TextEncoder().encode(text);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function describe(e: unknown): string {
  if (typeof e === "string") return e;
  if (e instanceof Error) return e.message;
  if (e !== null && typeof e === "object" && "message" in e)
    return String((e as { message: unknown }).message);
  return String(e);
}
