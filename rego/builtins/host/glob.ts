// glob.match and glob.quote_meta with the glob syntax OPA uses (gobwas/glob): `*` any run
// without delimiters, `**` any run, `?` one non-delimiter, `[abc]` `[!abc]` `[a-z]` `[!a-z]`,
// `{a,b}` alternatives (nestable), `\` escapes. Patterns compile to cached JS RegExps.
import {
  builtinError,
  operandError,
  operandTypeError,
  stringOperand,
  valueTypeName,
} from "./errors.ts";
import { LruCache } from "./lru.ts";
import type { HostBuiltinTable } from "./types.ts";

const GLOB_SPECIAL = new Set([..."*?\\[]{}"]);
const escapeRegex = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
const escapeInClass = (s: string): string => s.replace(/[\\\]^[-]/g, "\\$&");

class GlobCompiler {
  private pos = 0;
  private readonly chars: string[];
  private readonly notDelimiter: string;

  constructor(pattern: string, delimiters: string[]) {
    this.chars = Array.from(pattern);
    this.notDelimiter = delimiters.length ? `[^${delimiters.map(escapeInClass).join("")}]` : "[^]";
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
            out += "[^]*";
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
          out += escapeRegex(next);
          break;
        }
        default:
          out += escapeRegex(c);
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
      if (hi < lo) throw new Error("hi character should be greater than lo character");
      body = `${escapeInClass(lo)}-${escapeInClass(hi)}`;
      if (next() !== "]") throw new Error("expected close range character");
    } else {
      body = "";
      for (let c = next(); c !== "]"; c = next()) body += escapeInClass(c === "\\" ? next() : c);
    }
    if (body === "") return negate ? "[^]" : "[]";
    return `[${negate ? "^" : ""}${body}]`;
  }
}

const cache = new LruCache<string, RegExp>(256);

export function compileGlob(pattern: string, delimiters: string[]): RegExp {
  return cache.getOrCreate(JSON.stringify([pattern, delimiters]), () => {
    try {
      return new RegExp(new GlobCompiler(pattern, delimiters).compile(), "u");
    } catch (err) {
      throw builtinError((err as Error).message);
    }
  });
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
    return compileGlob(p, d).test(stringOperand(match, 3));
  },
  "glob.quote_meta": ([pattern]) => quoteGlobMeta(stringOperand(pattern, 1)),
};
