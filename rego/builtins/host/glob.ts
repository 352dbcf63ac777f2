// glob.match and glob.quote_meta with the glob syntax OPA uses (gobwas/glob): `*` any run
// without delimiters, `**` any run, `?` one non-delimiter, `[abc]` `[!abc]` `[a-z]` `[!a-z]`,
// `{a,b}` alternatives (nestable), `\` escapes. Patterns compile to RE2 (re2.ts), so matching is
// linear in the text however many wildcards a pattern has.
import {
  builtinError,
  operandError,
  operandTypeError,
  stringOperand,
  valueTypeName,
} from "./errors.ts";
import { compileRe2, MAX_PATTERN_LENGTH, type Re2, Re2Search } from "./re2.ts";
import type { HostBuiltinTable } from "./types.ts";

const GLOB_SPECIAL = new Set([..."*?\\[]{}"]);
// RE2 reads a backslash before ASCII punctuation as that character, in and out of classes.
const escapeRe2 = (s: string): string => s.replace(/[!-/:-@[-`{-~]/g, "\\$&");
const ANY_CHAR = "(?s:.)";
const NO_CHAR = "[^\\x00-\\x{10FFFF}]";

class GlobCompiler {
  private pos = 0;
  private readonly chars: string[];
  private readonly notDelimiter: string;

  constructor(pattern: string, delimiters: string[]) {
    this.chars = Array.from(pattern);
    this.notDelimiter = delimiters.length ? `[^${delimiters.map(escapeRe2).join("")}]` : ANY_CHAR;
  }

  compile(): string {
    const body = this.sequence(false);
    return `^${body}$`;
  }

  /** Reads items until the end (or, inside `{}`, until `,` or `}`). */
  private sequence(inTerms: boolean): string {
    let out = "";
    for (;;) {
      const c = this.chars[this.pos];
      if (c === undefined) {
        if (inTerms) throw new Error("unexpected end of input");
        return out;
      }
      if (inTerms && (c === "," || c === "}")) return out;
      this.pos++;
      switch (c) {
        case "*":
          if (this.chars[this.pos] === "*") {
            this.pos++;
            out += `${ANY_CHAR}*`;
          } else {
            out += `${this.notDelimiter}*`;
          }
          break;
        case "?":
          out += this.notDelimiter;
          break;
        case "[":
          out += this.range();
          break;
        case "{":
          out += this.alternatives();
          break;
        case "\\": {
          const next = this.chars[this.pos++];
          if (next === undefined) throw new Error("unexpected end of input");
          out += escapeRe2(next);
          break;
        }
        default:
          out += escapeRe2(c);
      }
      // Stop early: each wildcard repeats the delimiter class.
      if (out.length > MAX_PATTERN_LENGTH) {
        throw new Error(
          `the glob's regular expression is longer than the limit of ${MAX_PATTERN_LENGTH} characters`,
        );
      }
    }
  }

  private alternatives(): string {
    const options: string[] = [];
    for (;;) {
      options.push(this.sequence(true));
      const c = this.chars[this.pos++];
      if (c === "}") return `(?:${options.join("|")})`;
    }
  }

  private range(): string {
    const next = () => {
      const c = this.chars[this.pos++];
      if (c === undefined) throw new Error("unexpected end of input");
      return c;
    };
    let negate = false;
    if (this.chars[this.pos] === "!") {
      negate = true;
      this.pos++;
    }
    let body: string;
    if (this.chars[this.pos + 1] === "-" && this.chars[this.pos] !== "]") {
      const lo = next();
      this.pos++;
      const hi = next();
      if (hi.codePointAt(0)! < lo.codePointAt(0)!)
        throw new Error("hi character should be greater than lo character");
      body = `${escapeRe2(lo)}-${escapeRe2(hi)}`;
      if (next() !== "]") throw new Error("expected close range character");
    } else {
      body = "";
      for (let c = next(); c !== "]"; c = next()) body += escapeRe2(c === "\\" ? next() : c);
    }
    if (body === "") return negate ? ANY_CHAR : NO_CHAR;
    return `[${negate ? "^" : ""}${body}]`;
  }
}

/** Compiles a glob to RE2 (cached by the RE2 text, with the regex builtins' patterns). */
export function compileGlob(pattern: string, delimiters: string[]): Re2 {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw builtinError(
      `glob is ${pattern.length} characters long, more than the limit of ${MAX_PATTERN_LENGTH}`,
    );
  }
  let source: string;
  try {
    source = new GlobCompiler(pattern, delimiters).compile();
  } catch (err) {
    throw builtinError((err as Error).message);
  }
  return compileRe2(source, "the glob's regular expression");
}

function delimitersOperand(value: unknown): string[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw operandTypeError(2, value, "array", "null");
  for (const d of value) {
    if (typeof d !== "string") {
      throw operandError(
        2,
        `must be array of strings but got array containing ${valueTypeName(d)}`,
      );
    }
    if (Array.from(d).length !== 1)
      throw operandError(2, "must be array of runes but got array containing string");
  }
  return value.length === 0 ? ["."] : (value as string[]);
}

export const quoteGlobMeta = (s: string): string =>
  Array.from(s, (c) => (GLOB_SPECIAL.has(c) ? `\\${c}` : c)).join("");

export const globBuiltins: HostBuiltinTable = {
  "glob.match": ([pattern, delimiters, match]) => {
    const p = stringOperand(pattern, 1);
    const d = delimitersOperand(delimiters);
    return new Re2Search(compileGlob(p, d), stringOperand(match, 3)).test();
  },
  "glob.quote_meta": ([pattern]) => quoteGlobMeta(stringOperand(pattern, 1)),
};
