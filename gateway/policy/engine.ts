// Evaluates `data.gatehouse.decision` in a policy compiled to WebAssembly, loaded with the unmodified
// @open-policy-agent/opa-wasm. Every failure (no decision, a malformed one, an evaluation error, an
// oversized or too deeply nested input, an exhausted budget, the memory cap) is a denial; the
// engine keeps serving the next call. Limits: rego/wasm/limits.ts.
import { createHash } from "node:crypto";
import { loadPolicy, type LoadedPolicy } from "@open-policy-agent/opa-wasm";
import {
  buildPolicy,
  checkBudget,
  DEFAULT_EVAL_BUDGET,
  DEFAULT_MAX_MEMORY_MIB,
  EvaluationOutput,
  hostBuiltins,
  jsonDepthExceeds,
  loadPolicyDirectory,
  MAX_INPUT_DEPTH,
  memoryCapMessage,
  memoryPages,
  ModuleLimits,
  PolicyLoadError,
  readBundle,
} from "../../rego/index.ts";
import { failClosed, readDecision, type Decision, type PolicyVerdict } from "./decision.ts";
import { newDecisionId } from "./decision-id.ts";

export const DECISION_ENTRYPOINT = "gatehouse/decision";
export const DEFAULT_MAX_INPUT_BYTES = 1024 * 1024;
export { DEFAULT_MAX_MEMORY_MIB };
/** the default memory cap (256 MiB) in 64 KiB Wasm pages */
export const DEFAULT_MAX_MEMORY_PAGES = memoryPages(DEFAULT_MAX_MEMORY_MIB);

export interface PolicyEngineOptions {
  /** largest input accepted, as UTF-8 JSON bytes; larger inputs are denied */
  maxInputBytes?: number;
  /** memory cap in 64 KiB pages (default DEFAULT_MAX_MEMORY_PAGES); needing more is a denial */
  maxMemoryPages?: number;
  /**
   * units of work one decision may spend (default DEFAULT_EVAL_BUDGET); an exhausted budget is a
   * denial (`eval_budget_exceeded`). Modules without metering (OPA's own) ignore it.
   */
  budget?: number;
  /** the revision to report; bundles default to their manifest's, folders to a digest prefix */
  revision?: string;
  /** clock for time.now_ns, in nanoseconds since the epoch (tests) */
  now?: () => bigint;
  /**
   * Builtin errors (division by zero, object.get on a non-object, ...) raise an error that denies
   * the request with its message, instead of OPA's default of a silently undefined call.
   * Default true: a security team should see why a decision failed. Bundles keep the strictness
   * their module was compiled with for native builtins; host builtins follow this option.
   */
  strictBuiltinErrors?: boolean;
}

/** A bundle that cannot serve decisions: no policy.wasm, no decision entrypoint, bad data. */
export class BundleLoadError extends Error {
  override name = "BundleLoadError";
}

/** `input.policy`: the active revision (a commit SHA when synced from Git) and bundle digest. */
export interface PolicyFacts {
  revision: string;
  bundle_digest: string;
}

export class PolicyEngine {
  private readonly encoder = new TextEncoder();
  private readonly facts: PolicyFacts;

  private constructor(
    private readonly policy: LoadedPolicy,
    /** what print() and trace() write while the policy decides (bounded per evaluation) */
    private readonly output: EvaluationOutput,
    private readonly limits: ModuleLimits,
    private readonly entrypoint: number,
    /** the policy revision every decision is tagged with */
    readonly revision: string,
    /** hex sha256 of the Wasm module and the canonical JSON of its data */
    readonly bundleDigest: string,
    readonly maxInputBytes: number,
    /** the memory cap, in 64 KiB pages */
    readonly maxMemoryPages: number,
  ) {
    // shared by every input this engine decides, so frozen
    this.facts = Object.freeze({ revision, bundle_digest: bundleDigest });
  }

  /** Compiles `*.rego` in the folders (data files land at their folder's path, as `opa build`). */
  static async fromDirectories(
    dirs: string[],
    options: PolicyEngineOptions = {},
  ): Promise<PolicyEngine> {
    const { files, data } = loadPolicyDirectory(dirs);
    if (files.length === 0) throw new PolicyLoadError(`no .rego files found in ${dirs.join(", ")}`);
    const built = buildPolicy(files, {
      entrypoints: [DECISION_ENTRYPOINT],
      strictBuiltinErrors: options.strictBuiltinErrors ?? true,
    });
    return PolicyEngine.load(built.wasm, data, undefined, options);
  }

  /** Loads an OPA bundle (.tar.gz or .tar) with `/policy.wasm`, written by Gatehouse or `opa build -t wasm`. */
  static async fromBundle(
    archive: Uint8Array,
    options: PolicyEngineOptions = {},
  ): Promise<PolicyEngine> {
    let bundle;
    try {
      bundle = readBundle(archive);
    } catch (e) {
      throw new BundleLoadError(`cannot read the bundle: ${messageOf(e)}`);
    }
    const declared = bundle.manifest.wasm?.find(
      (w) => normalizeEntrypoint(w.entrypoint) === DECISION_ENTRYPOINT,
    );
    const wasm =
      (declared && bundle.wasmModules[`/${declared.module.replace(/^\/+/, "")}`]) || bundle.wasm;
    if (!wasm)
      throw new BundleLoadError("the bundle has no policy.wasm: build it with a wasm target");
    const revision =
      typeof bundle.manifest.revision === "string" ? bundle.manifest.revision : undefined;
    return PolicyEngine.load(wasm, bundle.data, revision, options);
  }

  private static async load(
    wasm: Uint8Array,
    data: Record<string, unknown>,
    bundleRevision: string | undefined,
    options: PolicyEngineOptions,
  ): Promise<PolicyEngine> {
    const maxMemoryPages = options.maxMemoryPages ?? DEFAULT_MAX_MEMORY_PAGES;
    const maxInputBytes = options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
    const budget = options.budget ?? DEFAULT_EVAL_BUDGET;
    checkBudget(budget);
    const memory = { initial: 5, maximum: maxMemoryPages };
    const output = new EvaluationOutput();
    let policy: LoadedPolicy;
    try {
      policy = await loadPolicy(
        wasm,
        memory,
        hostBuiltins({
          now: options.now,
          strictBuiltinErrors: options.strictBuiltinErrors ?? true,
          output,
        }),
      );
    } catch (e) {
      throw new BundleLoadError(`cannot load policy.wasm: ${messageOf(e)}`);
    }
    const entrypoints = policy.entrypoints as Record<string, number>;
    const entrypoint = entrypoints[DECISION_ENTRYPOINT];
    if (entrypoint === undefined) {
      const found = Object.keys(entrypoints).join(", ") || "none";
      throw new BundleLoadError(
        `policy.wasm has no entrypoint ${DECISION_ENTRYPOINT} (it has: ${found})`,
      );
    }
    const limits = new ModuleLimits(policy);
    try {
      // the module reads data with the same checks as input; its text limit is the input's after
      const dataText = new TextEncoder().encode(JSON.stringify(data));
      limits.setTextLimit(Math.max(dataText.byteLength, maxInputBytes));
      policy.setData(dataText.slice().buffer);
      limits.setTextLimit(maxInputBytes);
      limits.setBudget(budget);
    } catch (e) {
      const message = memoryCapMessage(messageOf(e), maxMemoryPages) ?? messageOf(e);
      throw new BundleLoadError(`cannot load the bundle's data into policy.wasm: ${message}`);
    }
    const digest = bundleDigest(wasm, data);
    const revision = options.revision ?? (bundleRevision || `sha256:${digest.slice(0, 12)}`);
    return new PolicyEngine(
      policy,
      output,
      limits,
      entrypoint,
      revision,
      digest,
      maxInputBytes,
      maxMemoryPages,
    );
  }

  /** False for a module without metering (OPA's `opa build -t wasm`): only the memory cap bounds it. */
  get metered(): boolean {
    return this.limits.metered;
  }

  /** Units of work the last decision spent; undefined for a module without metering. */
  budgetUsed(): number | undefined {
    return this.limits.budgetUsed();
  }

  /**
   * One evaluation of the decision entrypoint. Synchronous from start to end (opa-wasm and the host
   * builtins never yield), so calls cannot interleave on the shared instance.
   */
  decide(input: unknown): Decision {
    // the revision that decides is part of the input (`input.policy`), set here so no caller can
    // name another one
    if (input !== null && typeof input === "object" && !Array.isArray(input))
      (input as { policy?: PolicyFacts }).policy = this.facts;
    const started = process.hrtime.bigint();
    const decisionId = newDecisionId();
    const verdict = this.evaluate(input);
    const evalMicros = Number((process.hrtime.bigint() - started) / 1000n);
    const output = this.output.take();
    return {
      ...verdict,
      decisionId,
      evalMicros,
      revision: this.revision,
      ...(output.length > 0 ? { output } : {}),
    };
  }

  private evaluate(input: unknown): PolicyVerdict {
    const encoded = this.encodeInput(input);
    if (typeof encoded === "string")
      return failClosed({ kind: "input", message: encoded }, `input rejected: ${encoded}`);
    let resultSet: unknown;
    try {
      resultSet = this.policy.evaluate(encoded, this.entrypoint);
    } catch (e) {
      const message = messageOf(e);
      // the module refused to read the input (runtime/assembly/host-text.ts)
      if (message.startsWith("input "))
        return failClosed({ kind: "input", message }, `input rejected: ${message}`);
      const failure = memoryCapMessage(message, this.maxMemoryPages) ?? message;
      return failClosed(
        { kind: "evaluation", message: failure },
        `policy evaluation failed: ${failure}`,
      );
    }
    return readDecision(resultSet);
  }

  /** The input as JSON bytes for opa-wasm, or what is wrong with it. */
  private encodeInput(input: unknown): ArrayBuffer | string {
    if (input === null || typeof input !== "object" || Array.isArray(input))
      return "the input must be a JSON object";
    let text: string;
    try {
      text = JSON.stringify(input);
    } catch (e) {
      return `the input is not serializable as JSON: ${messageOf(e)}`;
    }
    // a UTF-8 byte count is at least the UTF-16 length: skip encoding what is surely too large
    if (text.length > this.maxInputBytes)
      return `the input is larger than the limit of ${this.maxInputBytes} bytes`;
    const bytes = this.encoder.encode(text);
    if (bytes.byteLength > this.maxInputBytes) {
      return `the input is ${bytes.byteLength} bytes, more than the limit of ${this.maxInputBytes} bytes`;
    }
    // a module without Gatehouse's runtime may read an over-deep input as undefined: check here
    if (!this.limits.metered && jsonDepthExceeds(bytes, MAX_INPUT_DEPTH)) {
      return `input nests deeper than ${MAX_INPUT_DEPTH} levels (limit ${MAX_INPUT_DEPTH})`;
    }
    return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? (bytes.buffer as ArrayBuffer)
      : (bytes.slice().buffer as ArrayBuffer);
  }
}

function normalizeEntrypoint(entrypoint: string): string {
  const path = entrypoint.replace(/^data\./, "").replace(/^\/+/, "");
  return path.includes("/") ? path : path.split(".").join("/");
}

/** opa-wasm throws strings (aborts), Errors (traps) and plain objects with a message. */
export function messageOf(e: unknown): string {
  if (typeof e === "string") return e;
  if (e instanceof Error) return e.message;
  if (e !== null && typeof e === "object" && "message" in e) return String(e.message);
  return String(e);
}

/** sha256 over the module and the data in canonical JSON (sorted keys), so equal bundles agree. */
export function bundleDigest(wasm: Uint8Array, data: unknown): string {
  return createHash("sha256")
    .update(`wasm ${wasm.byteLength}\n`)
    .update(wasm)
    .update("\ndata\n")
    .update(canonicalJson(data))
    .digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
