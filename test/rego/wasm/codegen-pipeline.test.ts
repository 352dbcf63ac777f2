// The whole toolchain (parse, compile, plan, buildWasm) on a small policy, through the OPA SDK.
import { beforeAll, describe, expect, it } from "vitest";
import { loadPolicy } from "@open-policy-agent/opa-wasm";

type LoadedPolicy = Awaited<ReturnType<typeof loadPolicy>>;
import { hostBuiltins } from "../../../rego/builtins/host/index.ts";
import { buildPolicy } from "../../../rego/index.ts";

const source = `package authz

import rego.v1

default allow := false

allow if input.user.role == "admin"

allow if {
	some g in input.user.groups
	g == "ops"
}

names contains u.name if {
	some u in input.users
	u.active
}

active_count := count(names)

deny contains "not allowed" if not allow

admin_view if allow with input.user.role as "admin"

double(x) := x * 2

doubled := [double(x) | some x in [1, 2, 3]]

all_strings if {
	every g in input.user.groups {
		is_string(g)
	}
}

level := "a" if input.a
level := "b" if input.b

ratio := 10 / input.divisor
`;

const entrypoints = [
  "authz/allow",
  "authz/names",
  "authz/deny",
  "authz/level",
  "authz/ratio",
  "authz",
];

describe("buildPolicy => buildWasm => @open-policy-agent/opa-wasm", () => {
  let policy: LoadedPolicy;
  let strict: LoadedPolicy;
  beforeAll(async () => {
    policy = await loadPolicy(buildPolicy([{ file: "authz.rego", source }], { entrypoints }).wasm);
    strict = await loadPolicy(
      buildPolicy([{ file: "authz.rego", source }], {
        entrypoints: ["authz/ratio"],
        strictBuiltinErrors: true,
      }).wasm,
    );
  });

  const input = {
    user: { name: "amy", role: "dev", groups: ["x", "ops"] },
    users: [
      { name: "b", active: true },
      { name: "a", active: true },
      { name: "c", active: false },
    ],
    divisor: 4,
  };

  it("evaluates each entrypoint", () => {
    expect(policy.evaluate(input, "authz/allow")).toEqual([{ result: true }]);
    expect(policy.evaluate({ user: { role: "dev", groups: [] } }, "authz/allow")).toEqual([
      { result: false },
    ]);
    expect(policy.evaluate(input, "authz/names")).toEqual([{ result: ["a", "b"] }]);
    expect(policy.evaluate({}, "authz/deny")).toEqual([{ result: ["not allowed"] }]);
    expect(policy.evaluate(input, "authz/ratio")).toEqual([{ result: 2.5 }]);
  });

  it("evaluates a whole package", () => {
    expect(policy.evaluate(input, "authz")).toEqual([
      {
        result: {
          active_count: 2,
          admin_view: true,
          all_strings: true,
          allow: true,
          deny: [],
          doubled: [2, 4, 6],
          names: ["a", "b"],
          ratio: 2.5,
        },
      },
    ]);
  });

  it("raises conflicts and builtin errors as OPA does", () => {
    expect(policy.evaluate({ a: true }, "authz/level")).toEqual([{ result: "a" }]);
    expect(() => policy.evaluate({ a: true, b: true }, "authz/level")).toThrow(
      /^authz\.rego:\d+:\d+: eval_conflict_error: complete rules must not produce multiple outputs$/,
    );
    expect(policy.evaluate({ divisor: 0 }, "authz/ratio")).toEqual([]);
    expect(() => strict.evaluate({ divisor: 0 }, "authz/ratio")).toThrow(
      /^authz\.rego:\d+: eval_builtin_error: div: divide by zero$/,
    );
  });
});

// opa-wasm has its own yaml.*, regex.split, json.is_valid and sprintf and consults them before the
// custom builtins it is given; ours must be the ones called, with OPA's semantics.
describe("host builtins the SDK also implements", () => {
  const shadowed = `package shadowed

yaml_valid_number := yaml.is_valid(input.number)

yaml_valid_text := yaml.is_valid("a: [1")

yaml_text := yaml.marshal({"b": 1, "a": [1, 2]})

# RE2 syntax JavaScript regexes lack
split_words := regex.split(\`\\pL+\`, "a1b22c")
`;
  let policy: LoadedPolicy;
  beforeAll(async () => {
    const built = buildPolicy([{ file: "shadowed.rego", source: shadowed }], {
      entrypoints: ["shadowed"],
    });
    policy = await loadPolicy(built.wasm, undefined, hostBuiltins());
  });

  it("are imported under names the SDK does not intercept", async () => {
    const bare = await loadPolicy(
      buildPolicy([{ file: "shadowed.rego", source: shadowed }], { entrypoints: ["shadowed"] })
        .wasm,
    );
    expect(() => bare.evaluate({ number: 1 }, "shadowed")).toThrow(/gatehouse:yaml/);
  });

  it("follow OPA: yaml.is_valid of a non-string is false, yaml.marshal sorts keys, regex.split is RE2", () => {
    expect(policy.evaluate({ number: 1 }, "shadowed")).toEqual([
      {
        result: {
          yaml_valid_number: false,
          yaml_valid_text: false,
          yaml_text: "a:\n- 1\n- 2\nb: 1\n",
          split_words: ["", "1", "22", ""],
        },
      },
    ]);
  });
});
