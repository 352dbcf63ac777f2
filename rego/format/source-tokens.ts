// The token stream of a module's source, indexed by position, so the formatter can ask layout
// questions the AST does not answer: where an expression ends, where a block closes, how a string
// or a ref segment was written.
import { lex, type Comment, type Token } from "../syntax/lexer.ts";
import type { Location } from "../syntax/ast.ts";

const OPENERS: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

export class SourceTokens {
  readonly tokens: Token[];
  readonly comments: Comment[];
  private readonly byPosition = new Map<string, number>();

  constructor(readonly source: string) {
    const { tokens, comments } = lex(source);
    this.tokens = tokens;
    this.comments = comments;
    tokens.forEach((t, i) => this.byPosition.set(`${t.row}:${t.col}`, i));
  }

  /** Index of the token starting at `loc`, or -1 (generated nodes have no token of their own). */
  indexAt(loc: Location): number {
    return this.byPosition.get(`${loc.row}:${loc.col}`) ?? -1;
  }

  tokenAt(loc: Location): Token | undefined {
    const i = this.indexAt(loc);
    return i < 0 ? undefined : this.tokens[i];
  }

  /** Row of the last character of token `i` (raw strings may span lines). */
  endRow(i: number): number {
    const t = this.tokens[i]!;
    let row = t.row;
    for (let k = t.start; k < t.end; k++) if (this.source.charCodeAt(k) === 10) row++;
    return row;
  }

  /** The end row of whatever precedes the token at `loc` (e.g. the end of an expression before `with`). */
  endRowBefore(loc: Location): number {
    const i = this.indexAt(loc);
    if (i <= 0) return loc.row;
    return this.endRow(i - 1);
  }

  /** Row of the bracket closing the one at token index `open`, or -1 when unbalanced. */
  closingRow(open: number): number {
    const first = this.tokens[open];
    if (!first || !OPENERS[first.kind]) return -1;
    const stack: string[] = [];
    for (let i = open; i < this.tokens.length; i++) {
      const k = this.tokens[i]!.kind;
      if (OPENERS[k]) stack.push(OPENERS[k]!);
      else if (k === ")" || k === "]" || k === "}") {
        if (stack.pop() !== k) return -1;
        if (stack.length === 0) return this.tokens[i]!.row;
      }
    }
    return -1;
  }

  /** The source text of the token at `loc` (strings keep their escapes and raw form). */
  textAt(loc: Location): string | undefined {
    const t = this.tokenAt(loc);
    return t ? this.source.slice(t.start, t.end) : undefined;
  }
}
