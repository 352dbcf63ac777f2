// The `policy` section of the gateway config: what bounds one evaluation of the policy (docs/gateway.md,
// rego/wasm/limits.ts). Merged field by field over the defaults (gateway/config.ts).
import { z } from "zod";
import {
  DEFAULT_EVAL_BUDGET,
  DEFAULT_MAX_MEMORY_MIB,
  MAX_EVAL_BUDGET,
  MAX_MEMORY_MIB,
  memoryPages,
} from "../../rego/wasm/limits.ts";

export interface PolicyLimitsConfig {
  /** units of work one decision may spend (about one Rego statement each); more is a denial */
  budget: number;
  /** memory cap of the policy module in MiB; an evaluation that needs more is denied */
  maxMemoryMiB: number;
}

export const DEFAULT_POLICY_LIMITS: PolicyLimitsConfig = {
  budget: DEFAULT_EVAL_BUDGET,
  maxMemoryMiB: DEFAULT_MAX_MEMORY_MIB,
};

export const policyLayer = z
  .strictObject({
    budget: z.int().min(1).max(MAX_EVAL_BUDGET),
    maxMemoryMiB: z.int().min(1).max(MAX_MEMORY_MIB),
  })
  .partial();

export type PolicyLayer = z.infer<typeof policyLayer>;

export function resolvePolicyLimits(layers: PolicyLayer[]): PolicyLimitsConfig {
  const merged = { ...DEFAULT_POLICY_LIMITS };
  for (const layer of layers) {
    if (layer.budget !== undefined) merged.budget = layer.budget;
    if (layer.maxMemoryMiB !== undefined) merged.maxMemoryMiB = layer.maxMemoryMiB;
  }
  return merged;
}

const ENV_FIELDS: [string, keyof PolicyLayer][] = [
  ["GATEHOUSE_POLICY_BUDGET", "budget"],
  ["GATEHOUSE_POLICY_MAX_MEMORY_MIB", "maxMemoryMiB"],
];

/** GATEHOUSE_POLICY_BUDGET and GATEHOUSE_POLICY_MAX_MEMORY_MIB, as positive integers. */
export function policyEnvLayer(
  env: Record<string, string | undefined>,
  problems: string[],
): PolicyLayer | undefined {
  const layer: PolicyLayer = {};
  for (const [name, field] of ENV_FIELDS) {
    const value = env[name];
    if (value === undefined) continue;
    const parsed = policyLayer.shape[field].safeParse(/^\d+$/.test(value) ? Number(value) : NaN);
    if (parsed.success) layer[field] = parsed.data;
    else {
      const max = field === "budget" ? MAX_EVAL_BUDGET : MAX_MEMORY_MIB;
      problems.push(`${name}: expected an integer from 1 to ${max}, got ${JSON.stringify(value)}`);
    }
  }
  return Object.keys(layer).length > 0 ? layer : undefined;
}

/** PolicyEngine options for the section: the budget, and the memory cap in 64 KiB pages. */
export function policyLimitOptions(limits: PolicyLimitsConfig): {
  budget: number;
  maxMemoryPages: number;
} {
  return { budget: limits.budget, maxMemoryPages: memoryPages(limits.maxMemoryMiB) };
}
