// regex.globs_match: whether two of OPA's glob-style patterns both match some non-empty string.
// The pattern language (OPA's documentation): `.` is any character, `*` and `+` repeat the token
// before them zero/one or more times, `[...]` is a set of characters with `a-z` ranges, `\` escapes
// the next character, and every other character is itself (no anchors, groups or alternation:
// a pattern spans the whole string). The patterns are read here, with OPA's error messages, into
// refa's regex AST; refa builds the automata and decides whether their intersection is empty.
// Bounds, checked before the automata are built:
//   MAX_GLOB_LENGTH         characters of a pattern
//   MAX_INTERSECTION_WORK   the intersection visits each pair of transitions of the two automata
//                           at most once, so their product (from an upper estimate of each
//                           automaton's transitions) bounds its time and memory
import { CharSet, isDisjointWith, NFA, type NoParent, TooManyNodesError } from "refa";
import type { Concatenation, Element } from "refa";
import { builtinError, stringOperand } from "./errors.ts";
import type { HostBuiltinTable } from "./types.ts";

/** Longest pattern, in UTF-16 code units (JS string length), as re2.ts's MAX_PATTERN_LENGTH. */
export const MAX_GLOB_LENGTH = 4096;
/** Pairs of transitions one call may intersect: the largest pairs allowed take up to some 0.15 s
 * of CPU (test/bench/globs-match.bench.ts). */
export const MAX_INTERSECTION_WORK = 2 ** 16;

const MAX_CHAR = 0x10ffff;
const ANY = CharSet.all(MAX_CHAR);

export interface GlobToken {
  chars: CharSet;
  repeat: "" | "*" | "+";
}

/** A pattern read one character (code point) at a time, with OPA's invalid-input messages. */
class GlobReader {
  readonly chars: string[];

  constructor(readonly pattern: string) {
    this.chars = Array.from(pattern);
  }

  invalid(pos: number, message: string): Error {
    return builtinError(
      `input:${this.pattern}, pos:${pos}, ${message}: the input provided is invalid`,
    );
  }

  /** The character at `i`, or the one after a backslash there. */
  next(i: number): { char: string; escaped: boolean; end: number } {
    const char = this.chars[i]!;
    if (char !== "\\") return { char, escaped: false, end: i + 1 };
    if (i + 1 >= this.chars.length) {
      throw this.invalid(i, "input ends with a \\ (escape) character");
    }
    return { char: this.chars[i + 1]!, escaped: true, end: i + 2 };
  }
}

const codePoint = (char: string): number => char.codePointAt(0)!;

/** A `[...]` set whose `[` ends before `start`; returns it and the index after its `]`. */
function readSet(reader: GlobReader, start: number): { chars: CharSet; end: number } {
  const ranges: { min: number; max: number }[] = [];
  const n = reader.chars.length;
  let previous: number | undefined;
  let i = start;
  for (;;) {
    if (i >= n) throw reader.invalid(i, "found [ without matching ]");
    const { char, escaped, end } = reader.next(i);
    i = end;
    if (!escaped && char === "]") return { chars: CharSet.empty(MAX_CHAR).union(ranges), end: i };
    if (escaped || char !== "-") {
      previous = codePoint(char);
      ranges.push({ min: previous, max: previous });
      continue;
    }
    if (previous === undefined) {
      throw reader.invalid(i, "range character '-' must be preceded by a Unicode character");
    }
    // OPA's reader wants two characters after the `-`: the range's end and at least one more.
    if (i >= n - 1) {
      throw reader.invalid(i, "range character '-' must be followed by a Unicode character");
    }
    const last = reader.next(i);
    i = last.end;
    if (!last.escaped && (last.char === "]" || last.char === "-")) {
      throw reader.invalid(i, "range character '-' cannot be followed by a special symbol");
    }
    const max = codePoint(last.char);
    if (max < previous) {
      throw reader.invalid(
        i,
        `range is out of order: '${last.char}' comes before '${String.fromCodePoint(previous)}' in Unicode`,
      );
    }
    ranges.push({ min: previous, max });
    previous = undefined;
  }
}

export function parseGlob(pattern: string): GlobToken[] {
  if (pattern.length > MAX_GLOB_LENGTH) {
    throw builtinError(
      `pattern is ${pattern.length} characters long, more than the limit of ${MAX_GLOB_LENGTH}`,
    );
  }
  const reader = new GlobReader(pattern);
  const tokens: GlobToken[] = [];
  for (let i = 0; i < reader.chars.length;) {
    const { char, escaped, end } = reader.next(i);
    i = end;
    let chars: CharSet;
    if (escaped) chars = CharSet.fromCharacter(MAX_CHAR, codePoint(char));
    else if (char === "]") throw reader.invalid(i, "set-close ']' with no preceding '['");
    else if (char === "*" || char === "+") {
      throw reader.invalid(i, `flag '${char}' must be preceded by a non-flag`);
    } else if (char === ".") chars = ANY;
    else if (char === "[") ({ chars, end: i } = readSet(reader, i));
    else chars = CharSet.fromCharacter(MAX_CHAR, codePoint(char));
    const flag = reader.chars[i];
    const repeat = flag === "*" || flag === "+" ? flag : "";
    if (repeat) i++;
    tokens.push({ chars, repeat });
  }
  return tokens;
}

/**
 * An upper bound of the transitions of the glob's automaton: from the start and from each token,
 * one into each later token reachable by skipping `*` tokens, and one back into a repeated token.
 */
export function transitionEstimate(tokens: readonly GlobToken[]): number {
  let total = 0;
  let reachable = 0; // tokens reachable from the current one: the next and the `*` run after it
  for (let k = tokens.length - 1; k >= -1; k--) {
    total += reachable + 1;
    if (k >= 0) reachable = tokens[k]!.repeat === "*" ? reachable + 1 : 1;
  }
  return total;
}

function toRegex(tokens: readonly GlobToken[]): NoParent<Concatenation> {
  const elements = tokens.map(({ chars, repeat }): NoParent<Element> => {
    const characters = { type: "CharacterClass" as const, characters: chars };
    if (repeat === "") return characters;
    return {
      type: "Quantifier",
      lazy: false,
      min: repeat === "+" ? 1 : 0,
      max: Infinity,
      alternatives: [{ type: "Concatenation", elements: [characters] }],
    };
  });
  return { type: "Concatenation", elements };
}

/** The automaton of a glob: of the strings it matches, "" included. */
export function globAutomaton(tokens: readonly GlobToken[]): NFA {
  return NFA.fromRegex(toRegex(tokens), { maxCharacter: MAX_CHAR });
}

/** Whether some non-empty string matches both patterns. */
export function globsIntersect(left: string, right: string): boolean {
  const leftTokens = parseGlob(left);
  const rightTokens = parseGlob(right);
  const work = transitionEstimate(leftTokens) * transitionEstimate(rightTokens);
  const tooMuchWork = () =>
    builtinError(
      `the patterns' automata may have ${work} pairs of transitions to intersect, more than the ` +
        `limit of ${MAX_INTERSECTION_WORK}; shorten the patterns or use fewer * and + tokens`,
    );
  if (work > MAX_INTERSECTION_WORK) throw tooMuchWork();
  const a = globAutomaton(leftTokens);
  a.withoutEmptyWord();
  try {
    return !isDisjointWith(a, globAutomaton(rightTokens), MAX_INTERSECTION_WORK + 1);
  } catch (err) {
    if (err instanceof TooManyNodesError) throw tooMuchWork();
    throw err;
  }
}

export const globsMatchBuiltins: HostBuiltinTable = {
  "regex.globs_match": ([a, b]) => {
    const left = stringOperand(a, 1);
    return globsIntersect(left, stringOperand(b, 2));
  },
};
