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

describe("JSON numbers with more than 19 significant digits", () => {
  const LIST_POLICY = `package p

texts := [json.marshal(x) | some x in input.list]
`;

  async function marshalEach(texts: string[]): Promise<string[]> {
    const built = buildPolicy([{ file: "p.rego", source: LIST_POLICY }], { entrypoints: ["p"] });
    const policy = await loadPolicy(built.wasm, undefined, hostBuiltins());
    const bytes = new TextEncoder().encode(`{"list": [${texts.join(",")}]}`);
    const [first] = policy.evaluate(bytes.slice().buffer, "p") as { result: { texts: string[] } }[];
    return first!.result.texts;
  }

  /** The exact decimal digits and exponent of the midpoint between x > 0 and its upper neighbour. */
  function upperMidpoint(x: number): { digits: string; exponent: number } {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x);
    const bits = view.getBigUint64(0);
    const biased = Number(bits >> 52n);
    const fraction = bits & ((1n << 52n) - 1n);
    const f = biased === 0 ? fraction : fraction | (1n << 52n);
    const q = (biased === 0 ? -1074 : biased - 1075) - 1; // midpoint = (2f + 1) * 2^q
    if (q >= 0) return { digits: ((2n * f + 1n) << BigInt(q)).toString(), exponent: 0 };
    return { digits: ((2n * f + 1n) * 5n ** BigInt(-q)).toString(), exponent: q };
  }

  /** Deterministic decimal texts of 20-80 digits just below, on or just above midpoints. */
  function nearMidpointTexts(count: number): string[] {
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    const texts: string[] = [];
    while (texts.length < count) {
      const x = (next() / 2147483648) * 10 ** ((next() % 600) - 300);
      if (x === 0 || !Number.isFinite(x)) continue;
      const { digits, exponent } = upperMidpoint(x);
      const keep = Math.min(digits.length, 20 + (next() % 60));
      const dropped = digits.length - keep;
      const kept = digits.slice(0, keep);
      const variant = next() % 3; // 0: truncated (below), 1: truncated plus a tail (maybe above), 2: exact
      const body = variant === 2 ? digits : variant === 1 ? kept + "9".repeat(dropped) + "1" : kept;
      const scale = exponent + (variant === 2 ? 0 : variant === 1 ? -1 : dropped);
      texts.push(`${body}e${scale}`);
    }
    return texts;
  }

  it("rounds the fuzzer's finds to the nearest double, as JSON.parse does", async () => {
    const texts = ["96685922303661439721733543200e23", "2158318232152962028100000000000000e18"];
    expect(await marshalEach(texts)).toEqual(texts.map((t) => JSON.stringify(Number(t))));
  });

  it("agrees with JSON.parse on 500 long decimals near midpoints", async () => {
    const texts = nearMidpointTexts(500);
    expect(await marshalEach(texts)).toEqual(texts.map((t) => JSON.stringify(Number(t))));
  });
});
