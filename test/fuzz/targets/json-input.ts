// The Wasm runtime's JSON reader and writer, through opa-wasm's evaluate() of a compiled
// `x := input`: deep, huge and invalid input texts must come back as the same value (JSON.parse's
// reading of the text) or end the evaluation with a clean error. Never an undefined input: an
// empty result set means the runtime dropped an input it could not read and evaluated without
// it, which fails open for any policy that allows unless something in the input says otherwise.
import fc from "fast-check";
import { loadPolicy, type LoadedPolicy } from "@open-policy-agent/opa-wasm";
import { buildPolicy, hostBuiltins } from "../../../rego/index.ts";
import { parseTerm } from "../../../rego/syntax/index.ts";
import { canonicalJson } from "../canonical-json.ts";
import { describeThrown, isCrash, violation, type FuzzTarget } from "../target.ts";

export type JsonInput =
  | { kind: "value"; value: unknown; indent: number }
  | { kind: "deep"; depth: number; shape: number }
  | { kind: "huge"; shape: number; size: number }
  | { kind: "number"; text: string }
  | { kind: "escapes"; parts: string[] }
  | { kind: "mangled"; value: unknown; edit: number; at: number; garbage: string }
  | { kind: "bad-utf8"; value: string; sequence: number; at: number };

/** Deeper than this, the runtime may refuse the input (rego/wasm's input depth limit). */
const DEPTH_ALWAYS_READ = 1_000;

/** `open * depth + middle + close * depth`, and how many levels one `open` nests */
const DEEP_SHAPES: readonly [string, string, string, number][] = [
  ["[", "1", "]", 1],
  ['{"a":', "1", "}", 1],
  ['[{"k":', '"v"', "}]", 2],
  ["[1,", "2", "]", 1],
];

const HUGE_SHAPES: readonly [string, string, string][] = [
  ['"', "a", '"'],
  ['"', "\\u00e9\\n", '"'],
  ["[", "1,", "1]"],
  ["{", '"k":null,', '"z":1}'],
  ["", "9", ""],
  ["0.", "1", ""],
];

/** Numbers JSON allows at the edges of float64 or beyond: the runtime may refuse them, never change
 * them. FAILS TODAY: rego/wasm reads 1e400 and -1e400 as null, so `input.n == null` holds. */
const BEYOND_FLOAT64 = [
  "1e400",
  "-1e400",
  "1e-400",
  "123456789012345678901234567890",
  "-9223372036854775809",
  "18446744073709551616",
  "0.1e999999999",
  "1E+308",
  "1.7976931348623159e308",
  "4.9e-324",
  "2.4703282292062328e-324",
  "-0",
  "-0.0",
  "0e0",
];

const ESCAPES = ["\\ud800", "\\udc00", "\\udbff\\udfff", "\\ud83d\\ude00", "\\u0000", "\\u001f"];
const MORE_ESCAPES = ["\\ud800\\u0041", "\\ud800\\ud800", "\\/", "\\b", "a", "é", "😀", "\\\\"];

/** Text that is not JSON in any context, or breaks the text it lands in. */
const GARBAGE = [
  ...["NaN", "Infinity", "-Infinity", "nan", "inf", "+1", ".5", "1.", "0x1F", "1e", "--1"],
  ...["01", "tru", "nul", "undefined", "'s'", "//c", "/*c*/", ",", "]", "}", ":", "\\", "\u0000"],
  ...['"', "\u0001", "\u007f", "x", " x", "{}", "[]", "1 2", '"\\x"', '"\\u12"', "\ufeff"],
];

/** Byte sequences that are not UTF-8: a lone continuation, an overlong NUL, an encoded
 * surrogate, a truncated 3-byte sequence, a code point beyond U+10FFFF, bytes never used. */
const BAD_UTF8: readonly number[][] = [
  [0x80],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf4, 0x90, 0x80, 0x80],
  [0xff],
  [0xfe, 0xff],
  [0xc3],
];

const at = fc.nat({ max: 1 << 20 });
const rarelyHuge = (small: number, huge: number[]) =>
  fc.oneof(
    { weight: 19, arbitrary: fc.integer({ min: 1, max: small }) },
    { weight: 1, arbitrary: fc.constantFrom(...huge) },
  );

export const jsonInputArbitrary: fc.Arbitrary<JsonInput> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("value" as const),
      value: fc.jsonValue(),
      indent: fc.constantFrom(0, 0, 2, 8),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("deep" as const),
      depth: fc.oneof(
        fc.integer({ min: 1, max: 1_100 }),
        fc.constantFrom(999, 1_000, 1_001, 10_000, 100_000),
      ),
      shape: fc.nat({ max: DEEP_SHAPES.length - 1 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("huge" as const),
      shape: fc.nat({ max: HUGE_SHAPES.length - 1 }),
      size: rarelyHuge(5_000, [100_000, 1_000_000]),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("number" as const),
      text: fc.oneof(
        fc.constantFrom(...BEYOND_FLOAT64),
        fc.stringMatching(/^-?[1-9][0-9]{15,40}(\.[0-9]{1,30})?([eE][-+]?[0-9]{1,4})?$/),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("escapes" as const),
      parts: fc.array(fc.constantFrom(...ESCAPES, ...MORE_ESCAPES), { minLength: 1, maxLength: 8 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("mangled" as const),
      value: fc.jsonValue({ maxDepth: 3 }),
      edit: fc.nat({ max: 3 }),
      at,
      garbage: fc.constantFrom(...GARBAGE),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("bad-utf8" as const),
      value: fc.string({ maxLength: 20 }),
      sequence: fc.nat({ max: BAD_UTF8.length - 1 }),
      at,
    }),
  },
);

const encoder = new TextEncoder();

export interface JsonCase {
  bytes: Uint8Array;
  /** "value": must round-trip (or, if `mayFail`, fail cleanly); "error": must fail cleanly */
  expect: "value" | "error";
  /** JSON.parse's reading of the text (when expect is "value") */
  value?: unknown;
  /** the runtime may refuse this valid input: beyond its depth limit, memory or number range */
  mayFail: boolean;
}

export function jsonCase(input: JsonInput): JsonCase {
  switch (input.kind) {
    case "value":
      return fromText(JSON.stringify(input.value, null, input.indent), false);
    case "deep": {
      const [open, middle, close, levels] = DEEP_SHAPES[input.shape]!;
      const text = open.repeat(input.depth) + middle + close.repeat(input.depth);
      return fromText(text, input.depth * levels > DEPTH_ALWAYS_READ);
    }
    case "huge": {
      const [prefix, unit, suffix] = HUGE_SHAPES[input.shape]!;
      return fromText(prefix + unit.repeat(input.size) + suffix, true);
    }
    case "number":
      return fromText(input.text, true);
    case "escapes":
      return fromText(`"${input.parts.join("")}"`, false);
    case "mangled": {
      const text = JSON.stringify(input.value);
      const i = input.at % (text.length + 1);
      const mangled = [
        text.slice(0, Math.max(i, 1)), // truncated (zero bytes is the ABI's "no input")
        text + input.garbage, // trailing garbage
        text.slice(0, i) + input.garbage + text.slice(i), // garbage inside
        input.garbage, // garbage alone
      ][input.edit]!;
      return fromText(mangled, false);
    }
    case "bad-utf8": {
      const inner = encoder.encode(JSON.stringify(input.value).slice(1, -1));
      const i = input.at % (inner.length + 1);
      const bad = BAD_UTF8[input.sequence]!;
      const bytes = new Uint8Array([0x22, ...inner.slice(0, i), ...bad, ...inner.slice(i), 0x22]);
      return { bytes, expect: "error", mayFail: true };
    }
  }
}

function fromText(text: string, mayFail: boolean): JsonCase {
  const bytes = encoder.encode(text);
  try {
    return { bytes, expect: "value", value: JSON.parse(text), mayFail };
  } catch {
    return { bytes, expect: "error", mayFail: true };
  }
}

/** The runtime reads input as JSON or as a Rego value (sets, non-string keys): not a violation. */
function isRegoValueText(bytes: Uint8Array): boolean {
  try {
    parseTerm(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    return true;
  } catch {
    return false;
  }
}

export const ROUND_TRIP_POLICY = "package fz\n\nx := input\n";
const SENTINEL = encoder.encode('{"still":["serving",1]}');

export async function loadRoundTripPolicy(): Promise<LoadedPolicy> {
  const built = buildPolicy([{ file: "fz.rego", source: ROUND_TRIP_POLICY }], {
    entrypoints: ["fz/x"],
  });
  return loadPolicy(built.wasm, { initial: 5, maximum: 4096 }, hostBuiltins());
}

function evaluate(
  policy: LoadedPolicy,
  bytes: Uint8Array,
): { resultSet?: unknown; error?: unknown } {
  try {
    return { resultSet: policy.evaluate(bytes.slice().buffer, "fz/x") };
  } catch (error) {
    return { error: error ?? "undefined thrown" };
  }
}

export function checkRoundTrip(policy: LoadedPolicy, input: JsonInput): void {
  const c = jsonCase(input);
  const { resultSet, error } = evaluate(policy, c.bytes);
  if (error !== undefined) {
    if (isCrash(error))
      violation(`the runtime crashed reading the input: ${describeThrown(error)}`);
    if (c.expect === "value" && !c.mayFail)
      violation(`valid JSON was refused: ${describeThrown(error)}`);
  } else {
    if (!Array.isArray(resultSet))
      violation(`evaluate returned ${String(resultSet).slice(0, 100)}, not a result set`);
    // the fail-open this target exists for: a runtime that drops input it cannot read (too deep,
    // not JSON) and evaluates without it. rego/wasm makes that an error this round (issue 12).
    if (resultSet.length === 0)
      violation(
        `the input went missing: x := input is undefined (${c.expect === "error" ? "invalid" : "valid"} input of ${c.bytes.length} bytes)`,
      );
    const got = (resultSet[0] as { result?: unknown }).result;
    if (c.expect === "error") {
      if (!isRegoValueText(c.bytes))
        violation(`invalid input was accepted as ${canonicalJson(got).slice(0, 200)}`);
    } else {
      const want = canonicalJson(c.value);
      const have = canonicalJson(got);
      if (want !== have)
        violation(
          `round trip changed the value: want ${want.slice(0, 200)}, got ${have.slice(0, 200)}`,
        );
    }
  }
  const after = evaluate(policy, SENTINEL);
  const afterText = after.error === undefined ? canonicalJson(after.resultSet) : undefined;
  if (afterText !== '[{"result":{"still":["serving",1]}}]')
    violation(
      `the instance no longer evaluates correctly: ${after.error !== undefined ? describeThrown(after.error) : afterText}`,
    );
}

export const jsonInputTarget: FuzzTarget<JsonInput> = {
  name: "json",
  summary:
    "opa-wasm evaluate() of `x := input` returns the input unchanged or a clean error, never an undefined input",
  async prepare() {
    const policy = await loadRoundTripPolicy();
    return { arbitrary: jsonInputArbitrary, check: (input) => checkRoundTrip(policy, input) };
  },
};
