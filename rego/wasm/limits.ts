// What bounds one evaluation of a loaded policy module, seen from the host:
// - the budget ("fuel", runtime/assembly/fuel.ts): a Gatehouse-built module exports
//   gatehouse_budget_set / gatehouse_budget_used; the budget set applies to every following
//   evaluation and the fuel is refilled at the start of each, so an exhausted evaluation leaves
//   nothing behind. Modules without these exports (OPA's `opa build -t wasm`, `meter: false`
//   builds) run unmetered: only the memory cap bounds them.
// - the longest input/data text (gatehouse_text_limit_set, runtime/assembly/host-text.ts) and
//   the deepest nesting (MAX_INPUT_DEPTH), both checked in the module;
// - the memory cap: the `maximum` pages of the WebAssembly.Memory the host creates.
import type { LoadedPolicy } from "@open-policy-agent/opa-wasm";

/**
 * Units of work one evaluation may spend unless the host says otherwise. A unit is about one IR
 * statement, 10-50 ns once V8 has optimised the module (up to ~5x more in its first evaluations):
 * the default bounds an evaluation to well under a second of CPU, ~1 s when cold. The default
 * policy (policies/) spends about 2,500 units on a tools/call, 47,000 on a tools/list of 100
 * tools and 460,000 on one of 1000 (`npm run bench:policy`; docs/rego-runtime-abi.md, "Limits of
 * one evaluation").
 */
export const DEFAULT_EVAL_BUDGET = 20_000_000;
/** Largest budget a host may set: the module counts in i64, JavaScript numbers are exact to 2^53. */
export const MAX_EVAL_BUDGET = Number.MAX_SAFE_INTEGER;
/** Deepest nesting of arrays/objects the module reads in input or data (runtime/assembly/json.ts). */
export const MAX_INPUT_DEPTH = 1000;

const WASM_PAGE_BYTES = 65536;
const MIB = 1024 * 1024;
/** wasm32 addresses 4 GiB at most */
export const MAX_MEMORY_MIB = 4096;
/** The gateway's memory cap unless configured: a runaway policy is denied, not the process killed. */
export const DEFAULT_MAX_MEMORY_MIB = 256;

export const HOST_LIMIT_EXPORTS = [
  "gatehouse_budget_set",
  "gatehouse_budget_used",
  "gatehouse_text_limit_set",
] as const;

/** The limits a host chooses for its evaluations (absent: the module's budget, no memory cap). */
export interface EvaluationLimits {
  /** units of work per evaluation */
  budget?: number;
  /** memory cap in 64 KiB pages */
  maxMemoryPages?: number;
}

interface LimitExports {
  gatehouse_budget_set(units: bigint): void;
  gatehouse_budget_used(): bigint;
  gatehouse_text_limit_set(bytes: number): void;
}

/** The limits of one loaded module; `metered` is false for modules without the exports. */
export class ModuleLimits {
  private readonly exports: LimitExports | undefined;

  constructor(policy: LoadedPolicy) {
    const instance = policy.wasmInstance;
    const exports = ("instance" in instance ? instance.instance : instance).exports;
    const present = HOST_LIMIT_EXPORTS.every((name) => typeof exports[name] === "function");
    this.exports = present ? (exports as unknown as LimitExports) : undefined;
  }

  get metered(): boolean {
    return this.exports !== undefined;
  }

  /** Budget of every following evaluation; ignored (false) by an unmetered module. */
  setBudget(units: number): boolean {
    checkBudget(units);
    this.exports?.gatehouse_budget_set(BigInt(units));
    return this.metered;
  }

  /** Units the last evaluation spent (more than the budget when it ran out); undefined when unmetered. */
  budgetUsed(): number | undefined {
    return this.exports ? Number(this.exports.gatehouse_budget_used()) : undefined;
  }

  /** Longest JSON text the module reads as input or data; ignored by an unmetered module. */
  setTextLimit(bytes: number): void {
    if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > 0xffffffff) {
      throw new RangeError(`the text limit must be 1 to 4294967295 bytes, got ${bytes}`);
    }
    this.exports?.gatehouse_text_limit_set(bytes);
  }
}

export function checkBudget(units: number): void {
  if (!Number.isSafeInteger(units) || units < 1) {
    throw new RangeError(`the evaluation budget must be a positive integer, got ${units}`);
  }
}

/** Wasm pages for a memory cap in MiB. */
export function memoryPages(maxMemoryMiB: number): number {
  if (!Number.isInteger(maxMemoryMiB) || maxMemoryMiB < 1 || maxMemoryMiB > MAX_MEMORY_MIB) {
    throw new RangeError(
      `the memory cap must be 1 to ${MAX_MEMORY_MIB} MiB, got ${String(maxMemoryMiB)}`,
    );
  }
  return (maxMemoryMiB * MIB) / WASM_PAGE_BYTES;
}

/**
 * The message of an evaluation that ran out of memory, naming the cap, or undefined for other
 * errors. The module aborts with `opa_malloc: failed` when it cannot grow its memory; the SDK
 * itself fails with a RangeError when the input does not fit.
 */
export function memoryCapMessage(message: string, maxMemoryPages: number): string | undefined {
  const outOfMemory =
    message.startsWith("opa_malloc: failed") ||
    /Maximum memory size exceeded|could not allocate memory|Out of memory/i.test(message);
  if (!outOfMemory) return undefined;
  const mib = (maxMemoryPages * WASM_PAGE_BYTES) / MIB;
  return `the policy ran out of memory: it may use at most ${mib} MiB (limit ${mib} MiB; ${message})`;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/**
 * Whether JSON text nests arrays/objects deeper than `limit`: the check a host makes itself for a
 * module without Gatehouse's runtime (whose parser may read such an input as undefined).
 */
export function jsonDepthExceeds(text: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) depth--;
  }
  return false;
}
