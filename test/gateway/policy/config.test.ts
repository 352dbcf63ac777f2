// The `policy` config section: the evaluation budget and memory cap every decision runs under.
import { describe, expect, it } from "vitest";
import { loadConfig, resolve } from "../../../gateway/config.ts";
import { policyLimitOptions } from "../../../gateway/policy/index.ts";
import { DEFAULT_EVAL_BUDGET } from "../../../rego/wasm/limits.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";
import { configProblems } from "../../helpers/config-problems.ts";

const problemsOf = configProblems;

describe("policy config", () => {
  const temp = useTempDir("gatehouse-policy-config");

  it("defaults to the module's default budget and a 256 MiB memory cap", () => {
    expect(resolve([]).policy).toEqual({ budget: DEFAULT_EVAL_BUDGET, maxMemoryMiB: 256 });
    expect(policyLimitOptions(resolve([]).policy)).toEqual({
      budget: DEFAULT_EVAL_BUDGET,
      maxMemoryPages: 4096,
    });
  });

  it("layers file < env < flags field by field", () => {
    const file = temp.put("gatehouse.yaml", "policy:\n  budget: 1000000\n  maxMemoryMiB: 64\n");
    expect(loadConfig({ file }).policy).toEqual({ budget: 1_000_000, maxMemoryMiB: 64 });
    const env = { GATEHOUSE_POLICY_BUDGET: "2000000", GATEHOUSE_POLICY_MAX_MEMORY_MIB: "32" };
    expect(loadConfig({ file, env }).policy).toEqual({ budget: 2_000_000, maxMemoryMiB: 32 });
    expect(loadConfig({ file, env, flags: { policy: { maxMemoryMiB: 16 } } }).policy).toEqual({
      budget: 2_000_000,
      maxMemoryMiB: 16,
    });
  });

  it("names the source and field of a bad value", () => {
    const file = temp.put("bad.yaml", "policy:\n  budget: 0\n  maxMemoryMiB: 8192\n  fuel: 1\n");
    expect(problemsOf(() => loadConfig({ file }))).toEqual([
      `${file}: policy.budget: Too small: expected number to be >=1`,
      `${file}: policy.maxMemoryMiB: Too big: expected number to be <=4096`,
      `${file}: policy.fuel: unknown field`,
    ]);
    expect(
      problemsOf(() =>
        loadConfig({
          env: { GATEHOUSE_POLICY_BUDGET: "lots", GATEHOUSE_POLICY_MAX_MEMORY_MIB: "0" },
        }),
      ),
    ).toEqual([
      'GATEHOUSE_POLICY_BUDGET: expected an integer from 1 to 9007199254740991, got "lots"',
      'GATEHOUSE_POLICY_MAX_MEMORY_MIB: expected an integer from 1 to 4096, got "0"',
    ]);
  });
});
