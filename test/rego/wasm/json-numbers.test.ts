// Numbers in input text that float64 cannot hold exactly: the runtime keeps what JSON says
// (found by the fuzzer, test/fuzz/targets/json-input.ts).
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it } from "vitest";
import { buildPolicy, hostBuiltins } from "../../../rego/index.ts";

const POLICY = `package p

huge_text := json.marshal(input.huge)

huge_is_number := is_number(input.huge)

tie_rounds_up := input.tie == 3000000000078114304
`;

async function evaluateText(text: string): Promise<Record<string, unknown>> {
  const built = buildPolicy([{ file: "p.rego", source: POLICY }], { entrypoints: ["p"] });
  const policy = await loadPolicy(built.wasm, undefined, hostBuiltins());
  const bytes = new TextEncoder().encode(text);
  const [first] = policy.evaluate(bytes.slice().buffer, "p") as {
    result: Record<string, unknown>;
  }[];
  return first!.result;
}

describe("JSON numbers beyond float64", () => {
  it("keeps 1e400 as the number JSON wrote, not null", async () => {
    const result = await evaluateText(`{"huge": 1e400, "tie": 0}`);
    expect(result.huge_is_number).toBe(true);
    expect(result.huge_text).toBe("1e400");
  });

  it("rounds a tie up when digits past the 19th were dropped (…048.1 is above the midpoint)", async () => {
    const result = await evaluateText(`{"huge": 0, "tie": 3000000000078114048.1}`);
    expect(result.tie_rounds_up).toBe(true);
  });
});
