// Token-level and character-level mutations of seed modules, as shrinkable recipes: a recipe is a
// seed index and a list of edits, turned into source text only when an execution runs.
import fc from "fast-check";
import { lex } from "../../rego/syntax/lexer.ts";

export type Edit =
  | { op: "delete"; at: number }
  | { op: "duplicate"; at: number }
  | { op: "swap"; at: number; other: number }
  | { op: "insert"; at: number; text: string }
  | { op: "replace"; at: number; text: string }
  | { op: "insert-chars"; at: number; text: string }
  | { op: "cut-chars"; at: number; length: number };

export interface MutatedSeed {
  seed: number;
  edits: Edit[];
}

/** Tokens worth inserting: Rego's own, and what often breaks a scanner. */
export const TOKEN_VOCABULARY: readonly string[] = [
  ...["package", "import", "as", "default", "else", "not", "some", "with", "null", "true"],
  ...["false", "in", "every", "contains", "if", "input", "data", "future.keywords", "rego.v1"],
  ...["[", "]", "{", "}", "(", ")", ",", ":", ";", ".", ":=", "=", "==", "!=", "<", "<="],
  ...[">", ">=", "+", "-", "*", "/", "%", "&", "|", "_", "x", "p", "f(x)", "count", "sprintf"],
  ...["0", "1.5", "-1", "1e400", "0x10", "01", "1e", ".5", "1_000", '"s"', '""', '"\\u00e9"'],
  ...['"\\ud800"', '"\\x"', '"unterminated', "`raw`", "`open", '"\\', "#", "# comment\n"],
  ...["\n", "\r\n", "\t", "\u0000", "\ufeff", "é", "😀", "\u2028", "\\", "@", "$", "?", "^"],
];

const at = fc.nat({ max: 1 << 20 });
const vocabularyToken = fc.constantFrom(...TOKEN_VOCABULARY);

export const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constant("delete" as const), at }),
  fc.record({ op: fc.constant("duplicate" as const), at }),
  fc.record({ op: fc.constant("swap" as const), at, other: at }),
  fc.record({ op: fc.constant("insert" as const), at, text: vocabularyToken }),
  fc.record({ op: fc.constant("replace" as const), at, text: vocabularyToken }),
  fc.record({
    op: fc.constant("insert-chars" as const),
    at,
    text: fc.string({ unit: "binary", minLength: 1, maxLength: 4 }),
  }),
  fc.record({ op: fc.constant("cut-chars" as const), at, length: fc.integer({ min: 1, max: 40 }) }),
);

export function mutatedSeedArbitrary(seedCount: number): fc.Arbitrary<MutatedSeed> {
  return fc.record({
    seed: fc.nat({ max: seedCount - 1 }),
    edits: fc.array(editArbitrary, { minLength: 1, maxLength: 8 }),
  });
}

interface Piece {
  /** the whitespace and comments before the token, kept in place by token edits */
  lead: string;
  text: string;
}

/** Applies the edits in order; positions wrap around the current token or character count. */
export function applyEdits(source: string, edits: readonly Edit[]): string {
  let text = source;
  for (const edit of edits) {
    if (edit.op === "insert-chars") {
      const i = edit.at % (text.length + 1);
      text = text.slice(0, i) + edit.text + text.slice(i);
      continue;
    }
    if (edit.op === "cut-chars") {
      const i = edit.at % (text.length + 1);
      text = text.slice(0, i) + text.slice(i + edit.length);
      continue;
    }
    const pieces = piecesOf(text);
    const tail = pieces.pop()!.lead;
    if (pieces.length === 0) {
      if (edit.op === "insert" || edit.op === "replace") text = `${text} ${edit.text}`;
      continue;
    }
    const i = edit.at % pieces.length;
    switch (edit.op) {
      case "delete":
        pieces[i] = { lead: pieces[i]!.lead, text: "" };
        break;
      case "duplicate":
        pieces.splice(i, 0, { lead: pieces[i]!.lead, text: pieces[i]!.text });
        break;
      case "swap": {
        const j = edit.other % pieces.length;
        [pieces[i]!.text, pieces[j]!.text] = [pieces[j]!.text, pieces[i]!.text];
        break;
      }
      case "insert":
        pieces.splice(i, 0, { lead: " ", text: edit.text });
        break;
      case "replace":
        pieces[i] = { lead: pieces[i]!.lead, text: edit.text };
        break;
    }
    text = pieces.map((p) => p.lead + p.text).join("") + tail;
  }
  return text;
}

function piecesOf(source: string): Piece[] {
  const pieces: Piece[] = [];
  let previousEnd = 0;
  for (const token of lex(source).tokens) {
    pieces.push({
      lead: source.slice(previousEnd, token.start),
      text: source.slice(token.start, token.end),
    });
    previousEnd = token.end;
  }
  return pieces; // the last is the end-of-file token: its lead is the trailing space and comments
}
