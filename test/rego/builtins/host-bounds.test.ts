// Host builtins run in JavaScript, outside the evaluation budget: each must bound its own work by
// its inputs (docs/rego-runtime-abi.md, "Host builtins"). These are the bounds added for that.
import { describe, expect, it } from "vitest";
import { hostBuiltins } from "../../../rego/index.ts";
import { throughRegoText } from "./helpers.ts";

const strict = hostBuiltins({ strictBuiltinErrors: true });
const lax = hostBuiltins();
const cidrContainsMatches = throughRegoText(strict["net.cidr_contains_matches"]!);

describe("host builtin bounds", () => {
  it("net.cidr_contains_matches compares at most 65,536 pairs", () => {
    const cidrs = Array.from({ length: 256 }, (_, i) => `10.${i}.0.0/16`);
    const ips = (n: number) => Array.from({ length: n }, (_, i) => `10.${i % 256}.1.${i % 200}`);
    // 256 x 256: within the bound
    const within = cidrContainsMatches(cidrs, ips(256)) as unknown[];
    expect(within).toHaveLength(256);
    expect(() => cidrContainsMatches(cidrs, ips(257))).toThrow(
      "eval_builtin_error: net.cidr_contains_matches: 256 x 257 pairs to compare, more than 65536",
    );
    // outside strict mode the call is undefined, as every failing builtin
    expect(throughRegoText(lax["net.cidr_contains_matches"]!)(cidrs, ips(257))).toBeUndefined();
  });
});
