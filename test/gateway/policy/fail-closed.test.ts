// Purpose-built policies for the paths where the engine must deny in the policy's place.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PolicyEngine,
  policyLimitOptions,
  type PolicyEngineOptions,
} from "../../../gateway/policy/index.ts";
import { buildPolicy, DEFAULT_EVAL_BUDGET, writeBundle } from "../../../rego/index.ts";

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "gatehouse-engine-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

async function engineFor(
  name: string,
  rego: string,
  options?: PolicyEngineOptions,
): Promise<PolicyEngine> {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "decision.rego"), `package gatehouse\n\n${rego}\n`);
  return PolicyEngine.fromDirectories([dir], options);
}

const noObligations = { redact_arguments: [], redact_result: [], confirm: false, rate_limit: null };

describe("fail closed", () => {
  it("denies when the decision is undefined", async () => {
    const engine = await engineFor("undefined", `decision := {"allow": true} if input.go == true`);
    const d = engine.decide({ go: false });
    expect(d.allow).toBe(false);
    expect(d.reasons).toEqual([
      "policy decision is undefined: no rule of data.gatehouse.decision applied",
    ]);
    expect(d.error).toEqual({ kind: "undefined", message: "data.gatehouse.decision is undefined" });
    expect(d.visible_tools).toEqual([]);
    expect(engine.decide({ go: true }).allow).toBe(true);
  });

  it('denies a malformed decision such as {"allow": "yes"}, saying what was wrong', async () => {
    const engine = await engineFor(
      "malformed",
      `decision := {"allow": "yes", "visible_tools": ["a__b"]}`,
    );
    const d = engine.decide({});
    expect(d.allow).toBe(false);
    expect(d.reasons).toEqual([
      'policy decision is malformed: allow must be a boolean, got string "yes"',
    ]);
    expect(d.error?.kind).toBe("malformed");
    expect(d.visible_tools).toEqual([]);
    expect(d.obligations).toEqual(noObligations);
  });

  it("denies an allow whose obligations the gateway could not enforce", async () => {
    const engine = await engineFor(
      "bad-obligations",
      `decision := {"allow": true, "obligations": {"confirm": "maybe", "redact_arguments": "token"}}`,
    );
    const d = engine.decide({});
    expect(d.allow).toBe(false);
    expect(d.reasons).toEqual([
      'policy decision is malformed: obligations.confirm must be a boolean, got string "maybe"; ' +
        'obligations.redact_arguments must be a list of strings, got string "token"',
    ]);
  });

  it("denies on an evaluation error, records it, and keeps deciding afterwards", async () => {
    const engine = await engineFor(
      "conflict",
      [
        `decision := {"allow": true, "reasons": ["a"]} if input.a`,
        `decision := {"allow": false, "reasons": ["b"]} if input.b`,
      ].join("\n"),
    );
    for (let round = 0; round < 20; round++) {
      const failed = engine.decide({ a: true, b: true });
      expect(failed.allow).toBe(false);
      expect(failed.reasons).toHaveLength(1);
      expect(failed.reasons[0]).toMatch(
        /^policy evaluation failed: .*complete rules must not produce multiple outputs/,
      );
      expect(failed.error?.kind).toBe("evaluation");
      expect(failed.reasons[0]).toBe(`policy evaluation failed: ${failed.error?.message}`);

      const ok = engine.decide({ a: true });
      expect(ok.allow).toBe(true);
      expect(ok.reasons).toEqual(["a"]);
      expect(ok.error).toBeUndefined();
    }
  });

  it("denies a builtin error with its message instead of a silent undefined", async () => {
    const engine = await engineFor(
      "builtin-error",
      `decision := {"allow": true, "reasons": [sprintf("quota %d", [100 / input.n])]}`,
    );
    const failed = engine.decide({ n: 0 });
    expect(failed.allow).toBe(false);
    expect(failed.reasons[0]).toMatch(
      /^policy evaluation failed: .*eval_builtin_error: div: divide by zero/,
    );
    expect(engine.decide({ n: 4 })).toMatchObject({ allow: true, reasons: ["quota 25"] });
  });

  it("bounds the policy's memory: an evaluation that needs more is denied, the next one works", async () => {
    const dir = join(tmp, "memory");
    mkdirSync(dir, { recursive: true });
    const rego = `decision := {"allow": count([x | some x in numbers.range(1, input.n)]) > 0}`;
    writeFileSync(join(dir, "decision.rego"), `package gatehouse\n\n${rego}\n`);
    const engine = await PolicyEngine.fromDirectories([dir], { maxMemoryPages: 64 });
    for (let round = 0; round < 2; round++) {
      const failed = engine.decide({ n: 5_000_000 });
      expect(failed.allow).toBe(false);
      expect(failed.error?.kind).toBe("evaluation");
      expect(failed.reasons).toEqual([`policy evaluation failed: ${failed.error?.message}`]);
      expect(engine.decide({ n: 10 }).allow).toBe(true);
    }
  });

  it("treats missing optional fields as empty, but only the boolean true as allow", async () => {
    const engine = await engineFor("minimal", `decision := {"allow": input.allow}`);
    const allowed = engine.decide({ allow: true });
    expect(allowed).toMatchObject({
      allow: true,
      reasons: [],
      obligations: noObligations,
      visible_tools: [],
    });
    expect(allowed.error).toBeUndefined();
    for (const value of [1, "true", null, [true], { x: true }]) {
      const d = engine.decide({ allow: value });
      expect(d.allow).toBe(false);
      expect(d.error?.kind).toBe("malformed");
    }
    expect(engine.decide({}).error?.message).toBe("data.gatehouse.decision is undefined");
  });

  it("denies every request of a policy set that never defines data.gatehouse.decision", async () => {
    const dir = join(tmp, "other");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "p.rego"), "package other\n\nallow := true\n");
    const engine = await PolicyEngine.fromDirectories([dir]);
    expect(engine.decide({}).error?.kind).toBe("undefined");
  });

  it("refuses to load folders without any Rego module", async () => {
    const dir = join(tmp, "data-only");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "data.json"), "{}");
    await expect(PolicyEngine.fromDirectories([dir])).rejects.toThrow(
      `no .rego files found in ${dir}`,
    );
  });
});

// Allows unless something denies: an input the policy never saw would be allowed.
const allowByDefault = [
  "default allow := true",
  "allow := false if count(deny) > 0",
  'deny contains "arguments present" if input.mcp.arguments',
  'deny contains sprintf("%d matches", [n]) if {',
  "\tinput.heavy",
  "\tn := count([1 | some x in numbers.range(1, 1e6); some y in numbers.range(1, 1e6); x == y])",
  "}",
  'deny contains "big" if count(numbers.range(1, input.n)) > 0',
  'decision := {"allow": allow, "reasons": deny}',
].join("\n");

/** `{"mcp": {"arguments": <levels - 2 nested arrays>}}`: `levels` levels in all */
function deepInput(levels: number): Record<string, unknown> {
  let value: unknown = [];
  for (let i = 3; i < levels; i++) value = [value];
  return { mcp: { arguments: value } };
}

describe("limits of one evaluation", () => {
  it("denies an input nested deeper than 1,000 levels instead of deciding without it", async () => {
    const engine = await engineFor("deep", allowByDefault);
    expect(engine.decide(deepInput(1000))).toMatchObject({
      allow: false,
      reasons: ["arguments present"],
    });
    const d = engine.decide(deepInput(1001));
    expect(d.allow).toBe(false);
    expect(d.error).toEqual({
      kind: "input",
      message: "input nests deeper than 1000 levels (limit 1000)",
    });
    expect(d.reasons).toEqual(["input rejected: input nests deeper than 1000 levels (limit 1000)"]);
    expect(d.obligations).toEqual(noObligations);
    expect(d.visible_tools).toEqual([]);
    // 100,000 levels: JavaScript cannot even serialise it; denied all the same
    const deeper = engine.decide(deepInput(100_000));
    expect(deeper.allow).toBe(false);
    expect(deeper.error?.kind).toBe("input");
    expect(engine.decide({}).allow).toBe(true);
  });

  it("ends nested comprehensions over numbers.range(1, 1e6) at the budget, then decides again", async () => {
    const engine = await engineFor("budget", allowByDefault, { budget: 2_000_000 });
    for (let round = 0; round < 2; round++) {
      const d = engine.decide({ heavy: true });
      expect(d.allow).toBe(false);
      const message =
        "eval_budget_exceeded: the evaluation used more than its budget of 2000000 instructions";
      expect(d.error).toEqual({ kind: "evaluation", message });
      expect(d.reasons).toEqual([`policy evaluation failed: ${message}`]);
      expect(engine.budgetUsed()).toBeGreaterThan(2_000_000);
      expect(engine.decide({}).allow).toBe(true);
      expect(engine.budgetUsed()).toBeLessThan(1000);
    }
  });

  it("applies the default budget when none is configured", async () => {
    // 10,000 x 10,000 iterations over the keys of an input object (no allocation per iteration)
    const pairs = `count([1 | some x, _ in input.o; some y, _ in input.o; x == y])`;
    const engine = await engineFor("default-budget", `decision := {"allow": ${pairs} > 0}`);
    expect(engine.metered).toBe(true);
    const o = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
    const d = engine.decide({ o });
    expect(d.allow).toBe(false);
    expect(d.error?.message).toBe(
      `eval_budget_exceeded: the evaluation used more than its budget of ${DEFAULT_EVAL_BUDGET} instructions`,
    );
    expect(engine.decide({ o: { a: 1 } }).allow).toBe(true);
  });

  it("denies an evaluation past the memory cap, naming the cap, and decides again", async () => {
    const engine = await engineFor(
      "memory-cap",
      allowByDefault,
      policyLimitOptions({ budget: 1e9, maxMemoryMiB: 4 }),
    );
    for (let round = 0; round < 2; round++) {
      const d = engine.decide({ n: 2_000_000 });
      expect(d.allow).toBe(false);
      expect(d.error).toEqual({
        kind: "evaluation",
        message:
          "the policy ran out of memory: it may use at most 4 MiB (limit 4 MiB; opa_malloc: failed)",
      });
      expect(engine.decide({}).allow).toBe(true);
    }
    // an input that does not fit the cap at all fails in the SDK, before the module runs
    const big = await engineFor("memory-cap-input", allowByDefault, {
      maxMemoryPages: 16,
      maxInputBytes: 4 * 1024 * 1024,
    });
    const d = big.decide({ pad: "x".repeat(2 * 1024 * 1024) });
    expect(d.allow).toBe(false);
    expect(d.error?.message).toMatch(/^the policy ran out of memory: it may use at most 1 MiB/);
    expect(big.decide({}).allow).toBe(true);
  });

  it("loads a module without metering (as OPA builds them): no budget, the memory cap, deep input still denied", async () => {
    const source = `package gatehouse\n\n${allowByDefault}\n`;
    const wasm = buildPolicy([{ file: "decision.rego", source }], {
      entrypoints: ["gatehouse/decision"],
      meter: false,
    }).wasm;
    const exports = WebAssembly.Module.exports(
      new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>),
    ).map((e) => e.name);
    expect(exports.filter((name) => name.startsWith("gatehouse_"))).toEqual([]);
    const archive = writeBundle({ files: [], data: {}, wasm, entrypoints: ["gatehouse/decision"] });
    const engine = await PolicyEngine.fromBundle(archive, { budget: 1000, maxMemoryPages: 64 });
    expect(engine.metered).toBe(false);
    expect(engine.budgetUsed()).toBeUndefined();
    expect(engine.decide({}).allow).toBe(true);
    // the engine checks the depth itself: such a module's parser is not trusted with it
    expect(engine.decide(deepInput(1001)).error).toEqual({
      kind: "input",
      message: "input nests deeper than 1000 levels (limit 1000)",
    });
    const d = engine.decide({ n: 1_000_000 });
    expect(d.allow).toBe(false);
    expect(d.error?.message).toMatch(/^the policy ran out of memory: it may use at most 4 MiB/);
    expect(engine.decide({}).allow).toBe(true);
  });

  it("refuses a budget that is not a positive integer", async () => {
    await expect(engineFor("bad-budget", allowByDefault, { budget: 0 })).rejects.toThrow(
      "the evaluation budget must be a positive integer, got 0",
    );
  });
});
