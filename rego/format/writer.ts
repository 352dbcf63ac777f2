// Output buffer of the formatter: tab indentation, line starts and ends, and the source comments,
// which are written before the first node that follows them or at the end of the line they share.
import type { Comment } from "../syntax/lexer.ts";

export class Writer {
  private out = "";
  private level = 0;
  /** whether a line has been started and not yet ended */
  inline = false;
  /** comments that sat on a line already written: appended when that line ends */
  private trailing: Comment[] = [];
  private next = 0;
  /** the highest source row whose tokens have been written */
  private reached = 0;

  constructor(private readonly comments: Comment[]) {}

  write(s: string): void {
    this.out += s;
  }

  startLine(): void {
    if (this.inline) return;
    this.inline = true;
    this.out += "\t".repeat(this.level);
  }

  /** Records that the tokens of source row `row` are on the current line. */
  reach(row: number): void {
    if (row > this.reached) this.reached = row;
  }

  /** Ends the line. `holdComments`: the comments of this line go to the next line's end instead. */
  endLine(holdComments = false): void {
    if (holdComments) {
      this.out += "\n";
      this.inline = false;
      return;
    }
    while (this.next < this.comments.length && this.comments[this.next]!.row <= this.reached) {
      this.trailing.push(this.comments[this.next++]!);
    }
    const [first, ...rest] = this.trailing;
    this.trailing = [];
    if (first) this.out += ` ${commentText(first)}`;
    this.out += "\n";
    this.inline = false;
    for (const c of rest) this.line(commentText(c));
  }

  blankLine(): void {
    if (this.inline) this.endLine();
    this.out += "\n";
  }

  up(): void {
    this.level++;
  }

  down(): void {
    if (this.level > 0) this.level--;
  }

  private line(text: string): void {
    this.startLine();
    this.out += text;
    this.endLine();
  }

  /** Whether a comment precedes `row` and has not been written yet. */
  hasCommentBefore(row: number): boolean {
    const c = this.comments[this.next];
    return c !== undefined && c.row < row;
  }

  /**
   * Writes the comments found before `row` on their own lines (keeping one blank line where the
   * source had one or more), and keeps a comment on `row` itself for the end of the current line.
   * Inside a line (a term that used to span lines) they all move to the end of the line.
   */
  commentsBefore(row: number): void {
    const block: Comment[] = [];
    while (this.next < this.comments.length && this.comments[this.next]!.row < row) {
      const c = this.comments[this.next++]!;
      if (this.inline) this.trailing.push(c);
      else block.push(c);
    }
    this.commentLines(block);
    const last = block[block.length - 1];
    if (last && row - last.row > 1) this.blankLine();
    this.commentOn(row);
  }

  /**
   * Comments on lines of their own: one blank line where the source had one or more, and one
   * between a METADATA block and a METADATA header that follows it directly, as opa fmt does.
   */
  private commentLines(comments: Comment[]): void {
    let inMetadata = false;
    comments.forEach((c, k) => {
      const isHeader = c.text.trim() === "METADATA";
      const previous = comments[k - 1];
      if (previous && (c.row - previous.row > 1 || (inMetadata && isHeader))) {
        this.blankLine();
        inMetadata = false;
      }
      if (isHeader) inMetadata = true;
      this.line(commentText(c));
    });
  }

  /** Keeps the comment on `row`, if any, for the end of the current line. */
  commentOn(row: number): void {
    while (this.next < this.comments.length && this.comments[this.next]!.row === row) {
      this.trailing.push(this.comments[this.next++]!);
    }
  }

  /** Takes the comment on `row` out of the queue (import lines carry theirs themselves). */
  takeCommentOn(row: number): Comment | undefined {
    const i = this.comments.findIndex((c, k) => k >= this.next && c.row === row);
    if (i < 0) return undefined;
    const [c] = this.comments.splice(i, 1);
    return c;
  }

  /** Every comment not written yet, then the text; ends with exactly one newline. */
  finish(): string {
    if (this.inline) this.endLine();
    this.commentLines(this.comments.slice(this.next));
    this.next = this.comments.length;
    return this.out.replace(/\n+$/, "") + "\n";
  }
}

function commentText(c: Comment): string {
  return `#${c.text.trimEnd()}`;
}
