// Rego scanner: turns source text into a token array in one pass over the string.
// Whitespace and comments are not tokens; instead each token records whether whitespace
// (`wsBefore`) or a newline (`nlBefore`) preceded it, which is all the parser needs to apply
// Rego's layout rules (refs and calls must be adjacent, newlines separate body expressions).

export type TokenKind =
  | "ident"
  | "number"
  | "string"
  | "eof"
  | "illegal"
  // keywords
  | "package"
  | "import"
  | "as"
  | "default"
  | "else"
  | "not"
  | "some"
  | "with"
  | "null"
  | "true"
  | "false"
  | "in"
  | "every"
  | "contains"
  | "if"
  // punctuation and operators
  | "["
  | "]"
  | "{"
  | "}"
  | "("
  | ")"
  | ","
  | ":"
  | ";"
  | "."
  | ":="
  | "="
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "&"
  | "|";

export interface Token {
  kind: TokenKind;
  /** identifier name, number source text, decoded string value, or the error message of an illegal token */
  text: string;
  start: number; // UTF-16 offset
  end: number;
  row: number; // 1-based
  col: number; // 1-based, in code points
  wsBefore: boolean;
  nlBefore: boolean;
}

export interface Comment {
  text: string; // without the leading '#'
  row: number;
  col: number;
}

export const KEYWORDS: ReadonlyMap<string, TokenKind> = new Map<string, TokenKind>([
  ["package", "package"],
  ["import", "import"],
  ["as", "as"],
  ["default", "default"],
  ["else", "else"],
  ["not", "not"],
  ["some", "some"],
  ["with", "with"],
  ["null", "null"],
  ["true", "true"],
  ["false", "false"],
  ["in", "in"],
  ["every", "every"],
  ["contains", "contains"],
  ["if", "if"],
]);

/** How OPA names a token kind in messages such as `unexpected } token`. */
export function tokenName(kind: TokenKind): string {
  switch (kind) {
    case "ident":
      return "identifier";
    case "eof":
      return "eof";
    case "+":
      return "plus";
    case "-":
      return "minus";
    case "*":
      return "mul";
    case "/":
      return "div";
    case "%":
      return "rem";
    case "&":
      return "and";
    case "|":
      return "or";
    case "=":
      return "eq";
    case "==":
      return "equal";
    case ":=":
      return "assign";
    case "!=":
      return "neq";
    case "<":
      return "lt";
    case "<=":
      return "lte";
    case ">":
      return "gt";
    case ">=":
      return "gte";
    default:
      return kind;
  }
}

export function isKeyword(kind: TokenKind): boolean {
  return KEYWORDS.has(kind);
}

const CH_TAB = 9,
  CH_LF = 10,
  CH_CR = 13,
  CH_SPACE = 32;

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

export interface LexResult {
  tokens: Token[];
  comments: Comment[];
}

export function lex(src: string): LexResult {
  return new Lexer(src).run();
}

class Lexer {
  private pos = 0;
  private row = 1;
  private lineStart = 0;
  private readonly hasSurrogates: boolean;
  private readonly tokens: Token[] = [];
  private readonly comments: Comment[] = [];

  constructor(private readonly src: string) {
    this.hasSurrogates = /[\uD800-\uDFFF]/.test(src);
    if (src.charCodeAt(0) === 0xfeff) this.pos = this.lineStart = 1; // byte-order mark
  }

  run(): LexResult {
    const src = this.src;
    const n = src.length;
    let ws = false;
    let nl = false;
    for (;;) {
      // skip whitespace and comments
      while (this.pos < n) {
        const c = src.charCodeAt(this.pos);
        if (c === CH_SPACE || c === CH_TAB || c === CH_CR) {
          this.pos++;
          ws = true;
        } else if (c === CH_LF) {
          this.pos++;
          this.newline();
          ws = nl = true;
        } else if (c === 35 /* # */) {
          const begin = this.pos;
          let end = src.indexOf("\n", begin);
          if (end < 0) end = n;
          let textEnd = end;
          if (textEnd > begin && src.charCodeAt(textEnd - 1) === CH_CR) textEnd--;
          this.comments.push({
            text: src.slice(begin + 1, textEnd),
            row: this.row,
            col: this.colAt(begin),
          });
          this.pos = end;
          ws = true;
        } else break;
      }
      const start = this.pos;
      const row = this.row;
      const col = this.colAt(start);
      if (start >= n) {
        this.tokens.push({
          kind: "eof",
          text: "",
          start,
          end: start,
          row,
          col,
          wsBefore: ws,
          nlBefore: nl,
        });
        break;
      }
      const [kind, text] = this.scanToken();
      this.tokens.push({ kind, text, start, end: this.pos, row, col, wsBefore: ws, nlBefore: nl });
      ws = nl = false;
    }
    return { tokens: this.tokens, comments: this.comments };
  }

  private newline(): void {
    this.row++;
    this.lineStart = this.pos;
  }

  /** 1-based column of a UTF-16 offset on the current line, counted in code points. */
  private colAt(offset: number): number {
    let col = offset - this.lineStart + 1;
    if (this.hasSurrogates) {
      for (let i = this.lineStart; i < offset; i++) {
        const c = this.src.charCodeAt(i);
        if (c >= 0xdc00 && c <= 0xdfff && i > this.lineStart) {
          const prev = this.src.charCodeAt(i - 1);
          if (prev >= 0xd800 && prev <= 0xdbff) col--;
        }
      }
    }
    return col;
  }

  private scanToken(): [TokenKind, string] {
    const src = this.src;
    const c = src.charCodeAt(this.pos);
    if (isLetter(c)) {
      const start = this.pos;
      this.pos++;
      while (this.pos < src.length) {
        const d = src.charCodeAt(this.pos);
        if (!isLetter(d) && !isDigit(d)) break;
        this.pos++;
      }
      const word = src.slice(start, this.pos);
      return [KEYWORDS.get(word) ?? "ident", word];
    }
    if (isDigit(c)) return this.scanNumber();
    this.pos++;
    const next = src.charCodeAt(this.pos);
    switch (c) {
      case 34 /* " */:
        return this.scanString();
      case 96 /* ` */:
        return this.scanRawString();
      case 91:
        return ["[", "["];
      case 93:
        return ["]", "]"];
      case 123:
        return ["{", "{"];
      case 125:
        return ["}", "}"];
      case 40:
        return ["(", "("];
      case 41:
        return [")", ")"];
      case 44:
        return [",", ","];
      case 59:
        return [";", ";"];
      case 46:
        return [".", "."];
      case 43:
        return ["+", "+"];
      case 45:
        return ["-", "-"];
      case 42:
        return ["*", "*"];
      case 47:
        return ["/", "/"];
      case 37:
        return ["%", "%"];
      case 38:
        return ["&", "&"];
      case 124:
        return ["|", "|"];
      case 58 /* : */:
        if (next === 61) return this.two(":=");
        return [":", ":"];
      case 61 /* = */:
        if (next === 61) return this.two("==");
        return ["=", "="];
      case 60 /* < */:
        if (next === 61) return this.two("<=");
        return ["<", "<"];
      case 62 /* > */:
        if (next === 61) return this.two(">=");
        return [">", ">"];
      case 33 /* ! */:
        if (next === 61) return this.two("!=");
        return ["illegal", "illegal ! character"];
      case 0:
        return ["illegal", "illegal null character"];
      case 36 /* $ */:
        return ["illegal", "illegal $ character (template strings are not supported)"];
      default:
        if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) this.pos++;
        return ["illegal", "illegal token"];
    }
  }

  private two(kind: TokenKind): [TokenKind, string] {
    this.pos++;
    return [kind, kind];
  }

  private scanNumber(): [TokenKind, string] {
    const src = this.src;
    const start = this.pos;
    let error = "";
    while (isDigit(src.charCodeAt(this.pos))) this.pos++;
    if (src.charCodeAt(this.pos) === 46 /* . */) {
      this.pos++;
      const digits = this.pos;
      while (isDigit(src.charCodeAt(this.pos))) this.pos++;
      if (this.pos === digits) error = "expected fraction";
    }
    const e = src.charCodeAt(this.pos);
    if (e === 101 || e === 69) {
      this.pos++;
      const sign = src.charCodeAt(this.pos);
      if (sign === 43 || sign === 45) this.pos++;
      const digits = this.pos;
      while (isDigit(src.charCodeAt(this.pos))) this.pos++;
      if (this.pos === digits && !error) error = "expected exponent";
    }
    if (isLetter(src.charCodeAt(this.pos))) {
      if (!error) error = "illegal number format";
      while (
        this.pos < src.length &&
        (isLetter(src.charCodeAt(this.pos)) || isDigit(src.charCodeAt(this.pos)))
      )
        this.pos++;
    }
    if (error) return ["illegal", error];
    return ["number", src.slice(start, this.pos)];
  }

  /** Double-quoted string; the opening quote is consumed. Returns the decoded value. */
  private scanString(): [TokenKind, string] {
    const src = this.src;
    let out = "";
    let chunk = this.pos;
    for (;;) {
      if (this.pos >= src.length) return this.unterminated();
      const c = src.charCodeAt(this.pos);
      if (c === CH_LF) return this.unterminated();
      if (c === 34) {
        out += src.slice(chunk, this.pos);
        this.pos++;
        return ["string", out];
      }
      if (c !== 92 /* \ */) {
        this.pos++;
        continue;
      }
      out += src.slice(chunk, this.pos);
      const esc = src.charCodeAt(this.pos + 1);
      this.pos += 2;
      switch (esc) {
        case 34:
          out += '"';
          break;
        case 92:
          out += "\\";
          break;
        case 47:
          out += "/";
          break;
        case 98:
          out += "\b";
          break;
        case 102:
          out += "\f";
          break;
        case 110:
          out += "\n";
          break;
        case 114:
          out += "\r";
          break;
        case 116:
          out += "\t";
          break;
        case 117 /* u */: {
          const unit = this.hex4(this.pos);
          if (unit < 0) return this.badString("illegal escape sequence");
          this.pos += 4;
          if (unit >= 0xd800 && unit <= 0xdbff) {
            // a high surrogate must be followed by an escaped low surrogate, as in JSON
            const low =
              src.charCodeAt(this.pos) === 92 && src.charCodeAt(this.pos + 1) === 117
                ? this.hex4(this.pos + 2)
                : -1;
            if (low >= 0xdc00 && low <= 0xdfff) {
              out += String.fromCharCode(unit, low);
              this.pos += 6;
            } else out += "\uFFFD";
          } else if (unit >= 0xdc00 && unit <= 0xdfff) out += "\uFFFD";
          else out += String.fromCharCode(unit);
          break;
        }
        default:
          if (Number.isNaN(esc) || esc === CH_LF) return this.unterminated();
          return this.badString("illegal escape sequence");
      }
      chunk = this.pos;
    }
  }

  private hex4(at: number): number {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const h = hexValue(this.src.charCodeAt(at + i));
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  }

  /** Reports `message` and skips to the end of the string (or line) so scanning can go on. */
  private badString(message: string): [TokenKind, string] {
    const src = this.src;
    while (this.pos < src.length) {
      const c = src.charCodeAt(this.pos);
      if (c === CH_LF) break;
      this.pos++;
      if (c === 92) this.pos++;
      else if (c === 34) break;
    }
    return ["illegal", message];
  }

  private unterminated(): [TokenKind, string] {
    const nl = this.src.indexOf("\n", this.pos);
    this.pos = nl < 0 ? this.src.length : nl;
    return ["illegal", "non-terminated string"];
  }

  private scanRawString(): [TokenKind, string] {
    const src = this.src;
    const begin = this.pos;
    const close = src.indexOf("`", begin);
    if (close < 0) {
      this.skipLines(begin, src.length);
      this.pos = src.length;
      return ["illegal", "non-terminated string"];
    }
    this.skipLines(begin, close);
    this.pos = close + 1;
    return ["string", src.slice(begin, close)];
  }

  /** Accounts for the newlines inside a multi-line raw string. */
  private skipLines(from: number, to: number): void {
    let i = this.src.indexOf("\n", from);
    while (i >= 0 && i < to) {
      this.row++;
      this.lineStart = i + 1;
      i = this.src.indexOf("\n", i + 1);
    }
  }
}
