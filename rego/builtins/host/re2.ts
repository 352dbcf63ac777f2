// Translates Go RE2 syntax (what OPA's regex builtins accept) into an equivalent JS RegExp
// (flag "u"), rejecting what Go rejects (lookarounds, backreferences, bad escapes) with Go's
// error wording. Differences handled here: inline flags (?imsU) and (?i:...) anywhere (JS has
// no modifiers: case-insensitivity is expanded into classes, ^ $ . are rewritten per flag),
// \A \z, \Q...\E, (?P<name>), POSIX classes [[:alpha:]], Go's \s, \pL, octal and \x{...}.

export class Re2SyntaxError extends Error {
  constructor(code: string, fragment: string) {
    super(`error parsing regexp: ${code}: \`${fragment}\``);
    this.name = "Re2SyntaxError";
  }
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

type Range = [number, number];
const MAX_CP = 0x10ffff;
const MAX_REPEAT = 1000;

const PERL_CLASSES: Record<string, Range[]> = {
  d: [[0x30, 0x39]],
  s: [
    [0x09, 0x0a],
    [0x0c, 0x0d],
    [0x20, 0x20],
  ],
  w: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
};

const POSIX_CLASSES: Record<string, Range[]> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: PERL_CLASSES.w!,
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

const GENERAL_CATEGORIES = new Set(
  "C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs".split(
    " ",
  ),
);

function normalize(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complement(ranges: Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of normalize(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

/** The other-case forms of a code point (simple case mapping both ways). */
function caseVariants(cp: number): number[] {
  const ch = String.fromCodePoint(cp);
  const out = new Set<number>();
  for (const v of [ch.toLowerCase(), ch.toUpperCase()]) {
    const vcp = v.codePointAt(0)!;
    if (v.length === String.fromCodePoint(vcp).length && vcp !== cp) out.add(vcp);
  }
  return [...out];
}

const FOLD_RANGE_LIMIT = 4096;

function foldRanges(ranges: Range[]): Range[] {
  const extra: Range[] = [];
  for (const [lo, hi] of ranges) {
    if (hi - lo > FOLD_RANGE_LIMIT) continue;
    for (let cp = lo; cp <= hi; cp++) for (const v of caseVariants(cp)) extra.push([v, v]);
  }
  return normalize([...ranges, ...extra]);
}

const CLASS_SPECIAL = new Set(["\\", "]", "[", "^", "-"]);
const SYNTAX_SPECIAL = new Set([..."\\^$.*+?()[]{}|/"]);

function classChar(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if (CLASS_SPECIAL.has(ch)) return `\\${ch}`;
  if (cp < 0x20 || (cp >= 0xd800 && cp <= 0xdfff)) return `\\u{${cp.toString(16)}}`;
  return ch;
}

function literalChar(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if (SYNTAX_SPECIAL.has(ch)) return `\\${ch}`;
  if (cp < 0x20 || (cp >= 0xd800 && cp <= 0xdfff)) return `\\u{${cp.toString(16)}}`;
  return ch;
}

interface ClassBody {
  ranges: Range[];
  /** JS escapes that cannot be listed as ranges (\p{...}). */
  properties: string[];
}

function emitClass(body: ClassBody, negate: boolean, fold: boolean): string {
  const ranges = fold ? foldRanges(body.ranges) : normalize(body.ranges);
  const items = ranges.map(([lo, hi]) =>
    lo === hi ? classChar(lo) : `${classChar(lo)}${hi === lo + 1 ? "" : "-"}${classChar(hi)}`,
  );
  return `[${negate ? "^" : ""}${items.join("")}${body.properties.join("")}]`;
}

function unicodeProperty(name: string, negate: boolean, fragment: string): string {
  let inner: string;
  if (name === "Any") inner = "Any";
  else if (GENERAL_CATEGORIES.has(name)) inner = `General_Category=${name}`;
  else inner = `Script=${name}`;
  const js = `\\${negate ? "P" : "p"}{${inner}}`;
  try {
    new RegExp(js, "u");
  } catch {
    throw new Re2SyntaxError("invalid character class range", fragment);
  }
  return js;
}

type Escape =
  { kind: "char"; cp: number } | { kind: "class"; body: ClassBody } | { kind: "raw"; js: string };

export interface TranslatedRegex {
  source: string;
  /** capture group count, for padding unmatched groups */
  groups: number;
}

class Translator {
  private pos = 0;
  private out = "";
  private flags: Flags = { i: false, m: false, s: false, U: false };
  private readonly stack: Flags[] = [];
  private canRepeat = false;
  private lastRepeat = "";
  private groups = 0;

  constructor(private readonly src: string) {}

  translate(): TranslatedRegex {
    const src = this.src;
    while (this.pos < src.length) {
      const c = src[this.pos]!;
      const repeatText =
        c === "{" ? /^\{(\d+)(,(\d*))?\}/.exec(src.slice(this.pos))?.[0] : undefined;
      if (c === "*" || c === "+" || c === "?" || repeatText) {
        this.repetition(repeatText ?? c);
        continue;
      }
      this.lastRepeat = "";
      switch (c) {
        case "(":
          this.openGroup();
          break;
        case ")":
          if (this.stack.length === 0) throw new Re2SyntaxError("unexpected )", src);
          this.flags = this.stack.pop()!;
          this.emit(")", true);
          this.pos++;
          break;
        case "|":
          this.emit("|", false);
          this.pos++;
          break;
        case "[":
          this.emit(this.characterClass(), true);
          break;
        case ".":
          this.emit(this.flags.s ? "[^]" : "[^\\n]", true);
          this.pos++;
          break;
        case "^":
          this.emit(this.flags.m ? "(?<![^\\n])" : "(?:^)", true);
          this.pos++;
          break;
        case "$":
          this.emit(this.flags.m ? "(?![^\\n])" : "(?:$)", true);
          this.pos++;
          break;
        case "\\":
          this.escapeOutsideClass();
          break;
        default: {
          const cp = src.codePointAt(this.pos)!;
          this.pos += cp > 0xffff ? 2 : 1;
          this.literal(cp);
        }
      }
    }
    if (this.stack.length > 0) throw new Re2SyntaxError("missing closing )", src);
    return { source: this.out, groups: this.groups };
  }

  private emit(js: string, repeatable: boolean): void {
    this.out += js;
    this.canRepeat = repeatable;
  }

  private literal(cp: number): void {
    const variants = this.flags.i ? caseVariants(cp) : [];
    if (variants.length === 0) this.emit(literalChar(cp), true);
    else
      this.emit(
        emitClass(
          { ranges: [[cp, cp], ...variants.map((v): Range => [v, v])], properties: [] },
          false,
          false,
        ),
        true,
      );
  }

  private repetition(op: string): void {
    if (!this.canRepeat) {
      if (this.lastRepeat)
        throw new Re2SyntaxError("invalid nested repetition operator", this.lastRepeat + op);
      throw new Re2SyntaxError("missing argument to repetition operator", op);
    }
    if (op.startsWith("{")) {
      const [, min, comma, max] = /^\{(\d+)(,(\d*))?\}$/.exec(op)!;
      const lo = Number(min);
      const hi = comma === undefined ? lo : max === "" || max === undefined ? -1 : Number(max);
      if (lo > MAX_REPEAT || hi > MAX_REPEAT || (hi >= 0 && hi < lo)) {
        throw new Re2SyntaxError("invalid repeat count", op);
      }
    }
    this.pos += op.length;
    let lazy = this.src[this.pos] === "?";
    if (lazy) this.pos++;
    const text = op + (lazy ? "?" : "");
    if (this.flags.U) lazy = !lazy;
    this.out += op + (lazy ? "?" : "");
    this.canRepeat = false;
    this.lastRepeat = text;
  }

  private openGroup(): void {
    const src = this.src;
    const start = this.pos;
    if (src[start + 1] !== "?") {
      this.stack.push(this.flags);
      this.groups++;
      this.emit("(", false);
      this.pos++;
      return;
    }
    const named = /^\(\?P?<(?![=!])/.exec(src.slice(start));
    if (named) {
      const end = src.indexOf(">", start);
      const name = end < 0 ? "" : src.slice(start + named[0].length, end);
      if (end < 0 || !/^[A-Za-z0-9_]+$/.test(name)) {
        throw new Re2SyntaxError(
          "invalid named capture",
          src.slice(start, end < 0 ? undefined : end + 1),
        );
      }
      this.stack.push(this.flags);
      this.groups++;
      this.emit(`(?<${name}>`, false);
      this.pos = end + 1;
      return;
    }
    const next = { ...this.flags };
    let negated = false;
    let sawFlag = false;
    for (let j = start + 2; j < src.length; j++) {
      const ch = src[j]!;
      if (ch === "i" || ch === "m" || ch === "s" || ch === "U") {
        next[ch] = !negated;
        sawFlag = true;
      } else if (ch === "-" && !negated) {
        negated = true;
        sawFlag = false;
      } else if ((ch === ":" || (ch === ")" && j > start + 2)) && (sawFlag || !negated)) {
        this.pos = j + 1;
        if (ch === ")") {
          this.flags = next;
          this.canRepeat = false;
        } else {
          this.stack.push(this.flags);
          this.flags = next;
          this.emit("(?:", false);
        }
        return;
      } else {
        break;
      }
    }
    throw new Re2SyntaxError("invalid or unsupported Perl syntax", src.slice(start, start + 3));
  }

  private escapeOutsideClass(): void {
    const src = this.src;
    const c = src[this.pos + 1];
    switch (c) {
      case "Q": {
        const end = src.indexOf("\\E", this.pos + 2);
        const text = src.slice(this.pos + 2, end < 0 ? undefined : end);
        this.pos = end < 0 ? src.length : end + 2;
        for (const ch of text) this.literal(ch.codePointAt(0)!);
        return;
      }
      case "A":
        this.pos += 2;
        return this.emit("(?:^)", true);
      case "z":
        this.pos += 2;
        return this.emit("(?:$)", true);
      case "b":
      case "B":
        this.pos += 2;
        return this.emit(`\\${c}`, true);
      case "C":
        this.pos += 2;
        return this.emit("[^]", true);
    }
    const esc = this.escape();
    if (esc.kind === "char") this.literal(esc.cp);
    else if (esc.kind === "raw") this.emit(esc.js, true);
    else this.emit(emitClass(esc.body, false, false), true);
  }

  /** An escape valid both inside and outside classes; pos is at the backslash. */
  private escape(): Escape {
    const src = this.src;
    const start = this.pos;
    const c = src[start + 1];
    if (c === undefined) throw new Re2SyntaxError("trailing backslash at end of expression", "");
    this.pos += 2;
    const bad = () => new Re2SyntaxError("invalid escape sequence", src.slice(start, this.pos));
    const simple: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
    if (c in simple) return { kind: "char", cp: simple[c]! };
    const lower = c.toLowerCase();
    if (lower === "d" || lower === "s" || lower === "w") {
      const ranges = PERL_CLASSES[lower]!;
      return {
        kind: "class",
        body: { ranges: c === lower ? ranges : complement(ranges), properties: [] },
      };
    }
    if (c === "p" || c === "P") {
      let name: string;
      if (src[this.pos] === "{") {
        const end = src.indexOf("}", this.pos);
        if (end < 0) throw bad();
        name = src.slice(this.pos + 1, end);
        this.pos = end + 1;
      } else {
        const cp = src.codePointAt(this.pos);
        if (cp === undefined) throw bad();
        name = String.fromCodePoint(cp);
        this.pos += name.length;
      }
      let negate = c === "P";
      if (name.startsWith("^")) {
        negate = !negate;
        name = name.slice(1);
      }
      const js = unicodeProperty(name, negate, src.slice(start, this.pos));
      return { kind: "class", body: { ranges: [], properties: [js] } };
    }
    if (c >= "0" && c <= "7") {
      // \1-\7 alone would be a backreference, which RE2 does not support.
      if (c !== "0" && !/[0-7]/.test(src[this.pos] ?? "")) throw bad();
      let digits = c;
      while (digits.length < 3 && /[0-7]/.test(src[this.pos] ?? "")) digits += src[this.pos++];
      return { kind: "char", cp: parseInt(digits, 8) };
    }
    if (c === "x") {
      let hex: string;
      if (src[this.pos] === "{") {
        const end = src.indexOf("}", this.pos);
        hex = end < 0 ? "" : src.slice(this.pos + 1, end);
        this.pos = end < 0 ? src.length : end + 1;
      } else {
        hex = src.slice(this.pos, this.pos + 2);
        this.pos += 2;
        if (hex.length !== 2) throw bad();
      }
      if (!/^[0-9a-fA-F]+$/.test(hex) || parseInt(hex, 16) > MAX_CP) throw bad();
      return { kind: "char", cp: parseInt(hex, 16) };
    }
    const cp = c.codePointAt(0)!;
    if (cp < 0x80 && !/[0-9A-Za-z]/.test(c)) return { kind: "char", cp };
    throw bad();
  }

  private characterClass(): string {
    const src = this.src;
    const start = this.pos;
    this.pos++;
    let negate = false;
    if (src[this.pos] === "^") {
      negate = true;
      this.pos++;
    }
    const body: ClassBody = { ranges: [], properties: [] };
    let first = true;
    for (;;) {
      if (this.pos >= src.length) throw new Re2SyntaxError("missing closing ]", src.slice(start));
      const itemStart = this.pos;
      if (src[this.pos] === "]" && !first) {
        this.pos++;
        break;
      }
      first = false;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(src.slice(this.pos));
      if (posix) {
        const ranges = POSIX_CLASSES[posix[2]!];
        if (!ranges) throw new Re2SyntaxError("invalid character class range", posix[0]);
        body.ranges.push(...(posix[1] ? complement(ranges) : ranges));
        this.pos += posix[0].length;
        continue;
      }
      const lo = this.classAtom();
      if (lo.kind === "class") {
        body.ranges.push(...lo.body.ranges);
        body.properties.push(...lo.body.properties);
        continue;
      }
      if (lo.kind !== "char") continue;
      if (src[this.pos] === "-" && this.pos + 1 < src.length && src[this.pos + 1] !== "]") {
        this.pos++;
        const hi = this.classAtom();
        if (hi.kind !== "char" || hi.cp < lo.cp) {
          throw new Re2SyntaxError("invalid character class range", src.slice(itemStart, this.pos));
        }
        body.ranges.push([lo.cp, hi.cp]);
      } else {
        body.ranges.push([lo.cp, lo.cp]);
      }
    }
    return emitClass(body, negate, this.flags.i);
  }

  private classAtom(): Escape {
    if (this.src[this.pos] === "\\") return this.escape();
    const cp = this.src.codePointAt(this.pos)!;
    this.pos += cp > 0xffff ? 2 : 1;
    return { kind: "char", cp };
  }
}

/** Translates an RE2 pattern; throws Re2SyntaxError where Go's regexp.Compile would fail. */
export function translateRe2(pattern: string): TranslatedRegex {
  return new Translator(pattern).translate();
}
