// RE2 regular expressions on re2js, a JavaScript port of Go's regexp: Go's syntax, error messages
// and leftmost-first semantics, and no backtracking, so a search costs at most (instructions of
// the compiled pattern) x (characters of the text). Every call is bounded:
//   MAX_PATTERN_LENGTH        characters of a pattern, which bounds the cost of compiling it
//   MAX_PROGRAM_SIZE          instructions of a compiled pattern (`x{1000}` is 1000 of them)
//   MAX_SEARCH_WORK           instructions x (text length + 1): the worst case of one search
//   MAX_REPEATED_SEARCH_MS    the time the repeated searches of FindAll/ReplaceAll may take: each
//                             is bounded, but a pattern that scans ahead past its matches
//                             (`a.*b|a` on "aaaa...") makes their sum quadratic in the text
// Compiled patterns are cached (LRU, bounded by count and by total instructions), and so are
// refusals of programs over MAX_PROGRAM_SIZE, so that such a pattern is compiled once.
import { type Matcher, RE2JS, RE2JSException, RE2JSSyntaxException } from "re2js";
import { builtinError } from "./errors.ts";
import { LruCache } from "./lru.ts";

/** Longest pattern compiled, in UTF-16 code units (JS string length). */
export const MAX_PATTERN_LENGTH = 4096;
/** Most instructions a compiled pattern may have: it can then still search 511 characters. */
export const MAX_PROGRAM_SIZE = 2 ** 16;
/** Largest instructions x (text length + 1) of one search: in the worst case some 0.3-0.5 s on an
 * idle core (docs/rego-runtime-abi.md). */
export const MAX_SEARCH_WORK = 2 ** 25;
/** Wall time after which a call's repeated searches stop with an error. */
export const MAX_REPEATED_SEARCH_MS = 1000;

export interface Re2 {
  readonly program: RE2JS;
  /** size of the compiled program: the per-character cost of a search */
  readonly instructions: number;
  /** number of capture groups (group 0, the whole match, not counted) */
  readonly groups: number;
  /** capture group numbers by name */
  readonly names: Readonly<Record<string, number>>;
}

/** Go's Error.Error(): `error parsing regexp: <code>: `<expr>`` (the expression may be empty). */
function goSyntaxError(err: RE2JSSyntaxException, pattern: string): string {
  // Go reports the whole pattern for these two; re2js reports none.
  const whole = err.error === "expression too large" || err.error === "expression nests too deeply";
  return `error parsing regexp: ${err.error}: \`${whole ? pattern : (err.input ?? "")}\``;
}

type Compiled = Re2 | { refused: string };

function compileUncached(pattern: string): Compiled {
  let program: RE2JS;
  try {
    program = RE2JS.compile(pattern);
  } catch (err) {
    if (err instanceof RE2JSSyntaxException) throw builtinError(goSyntaxError(err, pattern));
    if (err instanceof RE2JSException) throw builtinError(`error parsing regexp: ${err.message}`);
    throw err;
  }
  const instructions = program.programSize();
  if (instructions > MAX_PROGRAM_SIZE) {
    return {
      refused: `compiles to ${instructions} instructions, more than the limit of ${MAX_PROGRAM_SIZE}`,
    };
  }
  return {
    program,
    instructions,
    groups: program.groupCount(),
    names: program.namedGroups(),
  };
}

// ~110 bytes per instruction: at most ~60 MB of programs (re2js bounds the lazy DFA it keeps
// beside each program itself).
const cache = new LruCache<string, Compiled>(256, {
  max: 2 ** 19,
  of: (c) => ("refused" in c ? 1 : c.instructions),
});

/**
 * Compiles (cached) an RE2 pattern with Go's regexp.Compile semantics. Syntax errors and patterns
 * over MAX_PATTERN_LENGTH or MAX_PROGRAM_SIZE are builtin errors; `what` names the pattern in
 * the size errors.
 */
export function compileRe2(pattern: string, what = "regular expression"): Re2 {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw builtinError(
      `${what} is ${pattern.length} characters long, more than the limit of ${MAX_PATTERN_LENGTH}`,
    );
  }
  const compiled = cache.getOrCreate(pattern, compileUncached);
  if ("refused" in compiled) throw builtinError(`${what} ${compiled.refused}`);
  return compiled;
}

/** A match: [start, end] of the whole match, then of each group asked for (-1, -1: unmatched). */
export type MatchIndex = number[];

/** The searches one builtin call makes in one text. */
export class Re2Search {
  private matcher: Matcher | undefined;
  private readonly started = performance.now();
  private searches = 0;

  constructor(
    readonly re: Re2,
    readonly text: string,
  ) {
    const work = re.instructions * (text.length + 1);
    if (work > MAX_SEARCH_WORK) {
      const longest = Math.floor(MAX_SEARCH_WORK / re.instructions) - 1;
      throw builtinError(
        `text of ${text.length} characters is too long for this pattern: its ${re.instructions} ` +
          `instructions x ${text.length + 1} positions exceed the matching limit of ` +
          `${MAX_SEARCH_WORK} (this pattern can search at most ${longest} ` +
          `characters); shorten the text or simplify the pattern`,
      );
    }
  }

  /** Whether the pattern matches anywhere in the text. */
  test(): boolean {
    return this.re.program.test(this.text);
  }

  /**
   * Go's doExecute: the leftmost-first match starting at or after `pos`, with the capture groups
   * when `withGroups`. Errors once the call's searches ran past MAX_REPEATED_SEARCH_MS.
   */
  find(pos: number, withGroups: boolean): MatchIndex | null {
    if (this.searches++ > 0 && performance.now() - this.started > MAX_REPEATED_SEARCH_MS) {
      throw builtinError(
        `matching took more than ${MAX_REPEATED_SEARCH_MS} ms (${this.searches - 1} searches, ` +
          `stopped at character ${pos} of ${this.text.length}); shorten the text or simplify ` +
          `the pattern`,
      );
    }
    this.matcher ??= this.re.program.matcher(this.text);
    const m = this.matcher;
    if (!m.find(pos)) return null;
    const count = withGroups ? this.re.groups + 1 : 1;
    const out: MatchIndex = [];
    for (let g = 0; g < count; g++) out.push(m.start(g), m.end(g));
    return out;
  }

  /** Go's allMatches: at most n matches (n < 0: all); an empty match right after a match is
   * skipped; after an empty match the search resumes one character (code point) later. */
  findAll(n: number, withGroups: boolean): MatchIndex[] {
    const out: MatchIndex[] = [];
    const end = this.text.length;
    let prevEnd = -1;
    for (let pos = 0; (n < 0 || out.length < n) && pos <= end;) {
      const m = this.find(pos, withGroups);
      if (!m) break;
      const [start, matchEnd] = m as [number, number];
      let accept = true;
      if (matchEnd === pos) {
        if (start === prevEnd) accept = false;
        pos = nextPosition(this.text, pos);
      } else {
        pos = matchEnd;
      }
      prevEnd = matchEnd;
      if (accept) out.push(m);
    }
    return out;
  }
}

/** The position after the character (code point) at `pos`; past the end: end + 1. */
export function nextPosition(s: string, pos: number): number {
  if (pos >= s.length) return s.length + 1;
  return pos + ((s.codePointAt(pos) ?? 0) > 0xffff ? 2 : 1);
}
