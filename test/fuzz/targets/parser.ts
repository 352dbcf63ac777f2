// Lexer and parser (rego/syntax): any text must parse or throw the toolchain's positioned error
// (RegoError, every issue at file:row:col inside the text), never another exception, never hang.
import fc from "fast-check";
import { parseModule, parseQuery, parseTerm } from "../../../rego/syntax/index.ts";
import { loadSeedModules, type SeedModule } from "../seeds.ts";
import { applyEdits, mutatedSeedArbitrary, TOKEN_VOCABULARY, type Edit } from "../mutate.ts";
import { expectPositionedRegoError, type FuzzTarget } from "../target.ts";

export type ParserInput =
  | { kind: "text"; text: string }
  | { kind: "mutated"; seed: number; edits: Edit[] }
  | { kind: "nested"; shape: number; depth: number }
  | { kind: "long"; shape: number; size: number };

const FILE = "fuzz.rego";

/** Deep nesting: `prefix + open * depth + middle + close * depth + suffix`. */
const NESTED_SHAPES: readonly [string, string, string, string, string][] = [
  ["package p\nx := ", "[", "1", "]", "\n"],
  ["package p\nx := ", "{", "1", "}", "\n"],
  ["package p\nx := ", '{"a": ', "1", "}", "\n"],
  ["package p\nx := ", "(", "1", ")", "\n"],
  ["package p\nx := ", "-", "1", "", "\n"],
  ["package p\nx := ", "[y | y := ", "1", "]", "\n"],
  ["package p\nx := ", "count(", "[]", ")", "\n"],
  ["package p\nx if {\n", "not ", "true", "", "\n}\n"],
  ["package p\nx if {\n", "every y in [1] { ", "true", " }", "\n}\n"],
  ["package p\nx := ", "input[", "1", "]", "\n"],
  ["package p\nx := 1 ", "+ 1 ", "", "", "\n"],
  ["package p\n", "x := 1 else := 1 ", "", "", "\n"],
  ["package p\nx := ", "[", "", "", "\n"], // never closed
  ["package p\nx := ", '"', "", "", "\n"],
];

/** Large but flat inputs: `prefix + unit * size + suffix`. */
const LONG_SHAPES: readonly [string, string, string][] = [
  ['package p\nx := "', "a", '"\n'],
  ["package p\nx := input", ".a", "\n"],
  ["package p\n", "r contains 1\n", ""],
  ["package p\nx := [", "1, ", "1]\n"],
  ["package p\nx := ", "1 + ", "1\n"],
  ["package p\n", "# comment\n", ""],
  ["", "\n", "package p"],
];

export function parserInputArbitrary(seeds: readonly SeedModule[]): fc.Arbitrary<ParserInput> {
  const soup = fc
    .array(fc.tuple(fc.constantFrom(...TOKEN_VOCABULARY), fc.constantFrom(" ", "", "\n")), {
      maxLength: 60,
    })
    .map((parts) => parts.map(([t, sep]) => t + sep).join(""));
  return fc.oneof(
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("text" as const),
        text: fc.string({ unit: "binary", maxLength: 300 }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("text" as const), text: soup }) },
    {
      weight: 6,
      arbitrary: mutatedSeedArbitrary(seeds.length).map((m) => ({
        kind: "mutated" as const,
        ...m,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("nested" as const),
        shape: fc.nat({ max: NESTED_SHAPES.length - 1 }),
        depth: rarelyHuge(2_000, [1_000, 10_000, 100_000]),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("long" as const),
        shape: fc.nat({ max: LONG_SHAPES.length - 1 }),
        size: rarelyHuge(5_000, [100_000]),
      }),
    },
  );
}

/** Mostly small sizes; now and then one of the huge ones, which cost up to seconds each. */
function rarelyHuge(smallMax: number, huge: number[]): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 9, arbitrary: fc.integer({ min: 1, max: smallMax }) },
    { weight: 1, arbitrary: fc.constantFrom(...huge) },
  );
}

export function parserSource(input: ParserInput, seeds: readonly SeedModule[]): string {
  switch (input.kind) {
    case "text":
      return input.text;
    case "mutated":
      return applyEdits(seeds[input.seed]!.source, input.edits);
    case "nested": {
      const [prefix, open, middle, close, suffix] = NESTED_SHAPES[input.shape]!;
      return prefix + open.repeat(input.depth) + middle + close.repeat(input.depth) + suffix;
    }
    case "long": {
      const [prefix, unit, suffix] = LONG_SHAPES[input.shape]!;
      return prefix + unit.repeat(input.size) + suffix;
    }
  }
}

export function checkParses(source: string): void {
  const files = new Map([[FILE, source]]);
  const entries: [string, () => unknown][] = [
    ["parseModule", () => parseModule(source, FILE)],
    ["parseQuery", () => parseQuery(source, FILE)],
    ["parseTerm", () => parseTerm(source, FILE)],
  ];
  for (const [what, parse] of entries) {
    try {
      parse();
    } catch (e) {
      expectPositionedRegoError(e, files, what);
    }
  }
}

export const parserTarget: FuzzTarget<ParserInput> = {
  name: "parser",
  summary: "parseModule/parseQuery/parseTerm return an AST or throw a positioned RegoError",
  async prepare() {
    const seeds = loadSeedModules();
    return {
      arbitrary: parserInputArbitrary(seeds),
      check: (input) => checkParses(parserSource(input, seeds)),
    };
  },
};
