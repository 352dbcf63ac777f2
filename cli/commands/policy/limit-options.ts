// --budget <units> and --max-memory <MiB>: what bounds one evaluation (rego/wasm/limits.ts), shared
// by `policy eval`, `policy test` and (--budget only) `policy build`.
import { Option } from "commander";
import {
  DEFAULT_EVAL_BUDGET,
  MAX_EVAL_BUDGET,
  MAX_MEMORY_MIB,
  memoryPages,
  type EvaluationLimits,
} from "../../../rego/wasm/limits.ts";

export interface LimitFlags {
  budget?: string;
  maxMemory?: string;
}

export function budgetOption(description: string): Option {
  return new Option("--budget <units>", description);
}

export function maxMemoryOption(): Option {
  return new Option(
    "--max-memory <MiB>",
    "memory cap of the policy module; an evaluation that needs more fails (default: none)",
  );
}

export const BUDGET_HELP = `units of work an evaluation may spend (about one Rego statement each) before it fails with eval_budget_exceeded (default ${DEFAULT_EVAL_BUDGET})`;

/** The flags as numbers, or the problem with them (naming the flag and what to give instead). */
export function parseLimitFlags(flags: LimitFlags): EvaluationLimits | string {
  const limits: EvaluationLimits = {};
  if (flags.budget !== undefined) {
    const budget = integerIn(flags.budget, MAX_EVAL_BUDGET);
    if (budget === undefined)
      return `--budget ${JSON.stringify(flags.budget)}: give an integer from 1 to ${MAX_EVAL_BUDGET}`;
    limits.budget = budget;
  }
  if (flags.maxMemory !== undefined) {
    const mib = integerIn(flags.maxMemory, MAX_MEMORY_MIB);
    if (mib === undefined)
      return `--max-memory ${JSON.stringify(flags.maxMemory)}: give a number of MiB from 1 to ${MAX_MEMORY_MIB}`;
    limits.maxMemoryPages = memoryPages(mib);
  }
  return limits;
}

function integerIn(text: string, max: number): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= max ? n : undefined;
}
