// What bounds one evaluation of a built module, through the unmodified @open-policy-agent/opa-wasm:
// input and data that cannot be read are errors (never an undefined input), the evaluation budget
// ends runaway policies, and the next evaluation on the same instance works.
import { beforeAll, describe, expect, it } from "vitest";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import {
  buildPolicy,
  DEFAULT_EVAL_BUDGET,
  hostBuiltins,
  ModuleLimits,
  type BuildOptions,
} from "../../../rego/index.ts";

type LoadedPolicy = Awaited<ReturnType<typeof loadPolicy>>;

// Allows unless something in the input is denied: undefined input would mean allow.
const failOpen = `package p

default allow := true

allow := false if count(deny) > 0

deny contains "x present" if input.x

deny contains "blocked by data" if data.blocked

heavy := count([1 |
	some x in numbers.range(1, 1000000)
	some y in numbers.range(1, 1000000)
	x == y
])

v := input.v

both := [v, heavy]

member_scan := count([1 | some i in numbers.range(1, 100); 7 in input.a])

contains_scan := count([1 | some i in numbers.range(1, 100); contains(input.s, "needle")])

big_range := count(numbers.range(1, 1000000))
`;

const entrypoints = [
  "p/allow",
  "p/heavy",
  "p/v",
  "p/both",
  "p/member_scan",
  "p/contains_scan",
  "p/big_range",
];

async function load(options: BuildOptions = {}): Promise<LoadedPolicy> {
  const built = buildPolicy([{ file: "p.rego", source: failOpen }], { entrypoints, ...options });
  return loadPolicy(built.wasm, { initial: 5, maximum: 2048 }, hostBuiltins());
}

const encode = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
const bytes = (...b: number[]) => new Uint8Array(b).buffer as ArrayBuffer;
const nested = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
/** `{"x": <n nested arrays>}`: n + 1 levels in all */
const deepInput = (levels: number) => encode(`{"x":${nested(levels - 1)}}`);

/** The legacy path: opa_json_parse, then opa_eval_ctx_set_input and eval. */
function evaluateLegacy(policy: LoadedPolicy, input: ArrayBuffer, entrypoint: string) {
  const saved = policy.minorVersion;
  policy.minorVersion = 1;
  try {
    return policy.evaluate(input, entrypoint);
  } finally {
    policy.minorVersion = saved;
  }
}

let policy: LoadedPolicy;
let limits: ModuleLimits;
beforeAll(async () => {
  policy = await load();
  limits = new ModuleLimits(policy);
}, 120_000);

describe("input that cannot be read is an error, never an undefined input", () => {
  it("accepts 1,000 levels and refuses 1,001 and 100,000 on both ABI paths, naming the limit", () => {
    expect(policy.evaluate(deepInput(1000), "p/allow")).toEqual([{ result: false }]);
    expect(evaluateLegacy(policy, deepInput(1000), "p/allow")).toEqual([{ result: false }]);
    for (const levels of [1001, 100_000]) {
      expect(() => policy.evaluate(deepInput(levels), "p/allow")).toThrow(
        "input nests deeper than 1000 levels (limit 1000)",
      );
      expect(() => evaluateLegacy(policy, deepInput(levels), "p/allow")).toThrow(
        "opa_json_parse: JSON text nests deeper than 1000 levels (limit 1000)",
      );
    }
    // Rego sets count too (opa_eval reads Rego value syntax)
    expect(() =>
      policy.evaluate(encode(`${"{".repeat(1001)}1${"}".repeat(1001)}`), "p/allow"),
    ).toThrow("input nests deeper than 1000 levels (limit 1000)");
    expect(policy.evaluate({ y: 1 }, "p/allow")).toEqual([{ result: true }]);
  });

  it("refuses input longer than the module's text limit, on both paths", () => {
    const text = encode(JSON.stringify({ x: false, pad: "a".repeat(2000) }));
    limits.setTextLimit(1024);
    try {
      expect(() => policy.evaluate(text, "p/allow")).toThrow(
        `input is ${text.byteLength} bytes long (limit 1024 bytes)`,
      );
      expect(() => evaluateLegacy(policy, text, "p/allow")).toThrow(
        `opa_json_parse: JSON text is ${text.byteLength} bytes long (limit 1024 bytes)`,
      );
      expect(policy.evaluate({ y: 1 }, "p/allow")).toEqual([{ result: true }]);
    } finally {
      limits.setTextLimit(64 * 1024 * 1024);
    }
    expect(policy.evaluate(text, "p/allow")).toEqual([{ result: true }]);
  });

  it("refuses invalid UTF-8 (stray, overlong, surrogate, truncated) and accepts valid sequences", () => {
    const quoted = (...inner: number[]) =>
      bytes(0x7b, 0x22, 0x78, 0x22, 0x3a, 0x22, ...inner, 0x22, 0x7d); // {"x":"…"}
    for (const bad of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x61, 0x80]]) {
      const offset = bad[0] === 0x61 ? 7 : 6;
      expect(() => policy.evaluate(quoted(...bad), "p/allow"), bad.join(" ")).toThrow(
        `input is not valid UTF-8 (byte ${offset})`,
      );
      expect(() => evaluateLegacy(policy, quoted(...bad), "p/allow")).toThrow(
        `opa_json_parse: JSON text is not valid UTF-8 (byte ${offset})`,
      );
      // after an escape the string is copied: the same check applies
      expect(() => policy.evaluate(quoted(0x5c, 0x6e, ...bad), "p/allow")).toThrow(
        /^input is not valid UTF-8/,
      );
    }
    // é, €, 😀: the policy sees the string (deny: input.x is truthy)
    const valid = quoted(0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80);
    expect(policy.evaluate(valid, "p/allow")).toEqual([{ result: false }]);
  });

  it("refuses malformed JSON with where it failed", () => {
    expect(() => policy.evaluate(encode('{"x": tru}'), "p/allow")).toThrow(
      "input is not valid JSON (or Rego value) (byte 6)",
    );
  });

  it("reads data with the same checks: setData fails naming the limit", async () => {
    const fresh = await load();
    fresh.setData({ blocked: false });
    expect(() => fresh.setData(encode(`{"blocked":${nested(1000)}}`))).toThrow(
      "opa_json_parse: JSON text nests deeper than 1000 levels (limit 1000)",
    );
    expect(() => fresh.setData(bytes(0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d))).toThrow(
      "opa_json_parse: JSON text is not valid UTF-8 (byte 2)",
    );
    const freshLimits = new ModuleLimits(fresh);
    freshLimits.setTextLimit(16);
    const padded = { blocked: true, pad: "0123456789" };
    expect(() => fresh.setData(padded)).toThrow(
      `opa_json_parse: JSON text is ${JSON.stringify(padded).length} bytes long (limit 16 bytes)`,
    );
    freshLimits.setTextLimit(1024);
    fresh.setData({ blocked: true });
    expect(fresh.evaluate({ y: 1 }, "p/allow")).toEqual([{ result: false }]);
  });
});

describe("evaluation budget", () => {
  it("ends nested comprehensions over numbers.range(1, 1e6) with eval_budget_exceeded, then evaluates again", () => {
    limits.setBudget(2_000_000);
    try {
      expect(() => policy.evaluate({}, "p/heavy")).toThrow(
        /^eval_budget_exceeded: the evaluation used more than its budget of 2000000 instructions$/,
      );
      expect(limits.budgetUsed()).toBeGreaterThan(2_000_000);
      // the next evaluation on the same instance works and starts from a full budget
      expect(policy.evaluate({ x: 1 }, "p/allow")).toEqual([{ result: false }]);
      expect(limits.budgetUsed()).toBeLessThan(1000);
      expect(() => policy.evaluate({}, "p/heavy")).toThrow(/^eval_budget_exceeded/);
    } finally {
      limits.setBudget(DEFAULT_EVAL_BUDGET);
    }
  });

  it("leaves no heap or memo state behind after an exhausted evaluation", () => {
    limits.setBudget(2_000_000);
    try {
      policy.evaluate({ v: 0 }, "p/v");
      const top = policy.wasmInstance as WebAssembly.Instance;
      const heapPtr = top.exports.opa_heap_ptr_get as () => number;
      const clean = heapPtr();
      // `v` is memoised before `heavy` runs out
      expect(() => policy.evaluate({ v: 1 }, "p/both")).toThrow(/^eval_budget_exceeded/);
      expect(policy.evaluate({ v: 2 }, "p/v")).toEqual([{ result: 2 }]);
      expect(heapPtr()).toBe(clean);
    } finally {
      limits.setBudget(DEFAULT_EVAL_BUDGET);
    }
  });

  it("charges the runtime's own work in proportion: allocation, membership scans, string search", () => {
    const a = Array.from({ length: 100_000 }, (_, i) => i + 10);
    const s = "a".repeat(1_000_000);
    limits.setBudget(1_000_000);
    try {
      // a loop of 100 short iterations, each scanning 100,000 elements or 1 MB
      expect(() => policy.evaluate({ a }, "p/member_scan")).toThrow(/^eval_budget_exceeded/);
      expect(() => policy.evaluate({ s }, "p/contains_scan")).toThrow(/^eval_budget_exceeded/);
      // no loop in the policy at all: numbers.range allocates 1e6 numbers
      expect(() => policy.evaluate({}, "p/big_range")).toThrow(/^eval_budget_exceeded/);
    } finally {
      limits.setBudget(DEFAULT_EVAL_BUDGET);
    }
    expect(policy.evaluate({ a }, "p/member_scan")).toEqual([{ result: 0 }]);
    const used = limits.budgetUsed()!;
    expect(used).toBeGreaterThan(100 * 100_000 * 0.4);
    expect(policy.evaluate({ a: [1] }, "p/member_scan")).toEqual([{ result: 0 }]);
    expect(limits.budgetUsed()).toBeLessThan(used / 100);
  });

  it("has the module's default budget when the host sets none", async () => {
    const fresh = await load({ budget: 3_000_000 });
    expect(() => fresh.evaluate({}, "p/heavy")).toThrow(
      "eval_budget_exceeded: the evaluation used more than its budget of 3000000 instructions",
    );
    expect(fresh.evaluate({}, "p/allow")).toEqual([{ result: true }]);
  });

  it("reports the budget error without the location of the last builtin call", async () => {
    const strict = await load({ strictBuiltinErrors: true, budget: 1_000_000 });
    expect(() => strict.evaluate({}, "p/heavy")).toThrow(/^eval_budget_exceeded: /);
  });
});

describe("unmetered modules (meter: false)", () => {
  it("export no budget, run to completion, and still refuse unreadable input", async () => {
    const unmetered = await load({ meter: false });
    const unmeteredLimits = new ModuleLimits(unmetered);
    expect(unmeteredLimits.metered).toBe(false);
    expect(unmeteredLimits.setBudget(10)).toBe(false);
    expect(unmeteredLimits.budgetUsed()).toBeUndefined();
    const a = Array.from({ length: 100_000 }, (_, i) => i + 10);
    expect(unmetered.evaluate({ a }, "p/member_scan")).toEqual([{ result: 0 }]);
    expect(() => unmetered.evaluate(deepInput(1001), "p/allow")).toThrow(
      "input nests deeper than 1000 levels (limit 1000)",
    );
  });
});
