// print(...) and trace(note) end to end: compiled by the toolchain, evaluated by opa-wasm with the
// host builtins writing to an EvaluationOutput.
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it } from "vitest";
import { buildPolicy, EvaluationOutput, hostBuiltins } from "../../../rego/index.ts";

const policy = `package p

allow if {
	x := {"a": [1, {2, 3}], "b": null}
	print("hello", x, input.missing, 1.5, "quoted \\"inside\\"")
	trace("checked the request")
	input.user == "alice"
}

# each combination of the arguments' values is one line
pairs if {
	print("pair", input.xs[_], input.ys[_], {"k", "j"})
	true
}

# print holds in every position, and never makes a rule undefined
in_function := f(2)

f(x) := y if {
	print("f got", x)
	y := x * 2
}

nested if {
	ys := [y | some y in [1, 2]; print("comprehension", y)]
	every y in ys {
		print("every", y)
	}
	not print("under not")
}

no_args if print()

flood if {
	some i in numbers.range(1, 500)
	print("line", i)
	false
}

long if print(concat("", [s | some _ in numbers.range(1, 3000); s := "xxxxxxxxxx"]))
`;

async function evaluator(limits?: { maxLines: number; maxBytes: number }) {
  const built = buildPolicy([{ file: "p.rego", source: policy }], {
    entrypoints: [
      "p/allow",
      "p/pairs",
      "p/in_function",
      "p/nested",
      "p/no_args",
      "p/flood",
      "p/long",
    ],
  });
  const output = new EvaluationOutput(limits);
  const loaded = await loadPolicy(built.wasm, undefined, hostBuiltins({ output }));
  return (entrypoint: string, input: unknown = {}) => {
    const result = loaded.evaluate(input, entrypoint) as { result: unknown }[];
    return { result: result[0]?.result, output: output.take() };
  };
}

describe("print and trace", { timeout: 120_000 }, () => {
  it("prints each argument as Rego text (strings as they are), undefined ones as <undefined>", async () => {
    const evaluate = await evaluator();
    expect(evaluate("p/allow", { user: "alice" })).toEqual({
      result: true,
      output: [
        'hello {"a": [1, {2, 3}], "b": null} <undefined> 1.5 quoted "inside"',
        "trace: checked the request",
      ],
    });
    // the rule is undefined for another user; what it printed on the way is still there
    expect(evaluate("p/allow", { user: "bob" })).toEqual({
      result: undefined,
      output: [
        'hello {"a": [1, {2, 3}], "b": null} <undefined> 1.5 quoted "inside"',
        "trace: checked the request",
      ],
    });
  });

  it("prints one line per combination of the arguments' values", async () => {
    const evaluate = await evaluator();
    expect(evaluate("p/pairs", { xs: [1, 2], ys: ["b", "a", "b"] }).output).toEqual([
      'pair 1 a {"j", "k"}',
      'pair 1 b {"j", "k"}',
      'pair 2 a {"j", "k"}',
      'pair 2 b {"j", "k"}',
    ]);
    // an argument without values is <undefined>; a set is one value
    expect(evaluate("p/pairs", { ys: ["a"] }).output).toEqual(['pair <undefined> a {"j", "k"}']);
  });

  it("prints in functions, comprehensions, every and not, and always holds", async () => {
    const evaluate = await evaluator();
    expect(evaluate("p/in_function")).toEqual({ result: 4, output: ["f got 2"] });
    const nested = evaluate("p/nested");
    // `not print(...)` fails: print is true
    expect(nested.result).toBeUndefined();
    expect(nested.output).toEqual([
      "comprehension 1",
      "comprehension 2",
      "every 1",
      "every 2",
      "under not",
    ]);
    expect(evaluate("p/no_args")).toEqual({ result: true, output: [""] });
  });

  it("keeps at most the configured lines and bytes per evaluation, and says so", async () => {
    const evaluate = await evaluator({ maxLines: 3, maxBytes: 1000 });
    expect(evaluate("p/flood").output).toEqual([
      "line 1",
      "line 2",
      "line 3",
      "(output truncated: at most 3 lines and 1000 bytes per evaluation)",
    ]);
    const long = evaluate("p/long").output;
    expect(long[0]).toBe("x".repeat(1000));
    expect(long[1]).toBe("(output truncated: at most 3 lines and 1000 bytes per evaluation)");
    // the next evaluation starts empty
    expect(evaluate("p/no_args").output).toEqual([""]);
  });

  it("writes nothing, and still holds, when the host gives no output", async () => {
    const built = buildPolicy([{ file: "p.rego", source: policy }], { entrypoints: ["p/allow"] });
    const loaded = await loadPolicy(built.wasm, undefined, hostBuiltins());
    expect(loaded.evaluate({ user: "alice" }, "p/allow")).toEqual([{ result: true }]);
  });
});

describe("EvaluationOutput", () => {
  it("cuts a line at the byte limit without splitting a character", () => {
    const output = new EvaluationOutput({ maxLines: 10, maxBytes: 5 });
    output.write("ab€€");
    expect(output.take()).toEqual([
      "ab€",
      "(output truncated: at most 10 lines and 5 bytes per evaluation)",
    ]);
  });
});
