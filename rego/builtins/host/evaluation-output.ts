// What print() and trace() write during one evaluation, bounded so that a policy cannot flood a
// log or a test report: at most `maxLines` lines and `maxBytes` bytes (UTF-8) per evaluation; past
// either, the rest is left out and a last line says so. The host that evaluates owns one and takes
// its lines after each evaluation.

export interface OutputLimits {
  maxLines: number;
  maxBytes: number;
}

export const DEFAULT_OUTPUT_LIMITS: Readonly<OutputLimits> = Object.freeze({
  maxLines: 100,
  maxBytes: 16 * 1024,
});

export class EvaluationOutput {
  private lines: string[] = [];
  private bytes = 0;
  private truncated = false;

  constructor(readonly limits: Readonly<OutputLimits> = DEFAULT_OUTPUT_LIMITS) {}

  /** Whether another line would be left out. */
  get full(): boolean {
    return this.lines.length >= this.limits.maxLines || this.bytes >= this.limits.maxBytes;
  }

  /** Adds one line (cut at the byte limit); false when it was left out, so a writer can stop. */
  write(line: string): boolean {
    if (this.full) {
      this.truncated = true;
      return false;
    }
    const room = this.limits.maxBytes - this.bytes;
    const size = Buffer.byteLength(line);
    if (size > room) {
      line = cutUtf8(line, room);
      this.truncated = true;
      this.bytes = this.limits.maxBytes;
    } else {
      this.bytes += size;
    }
    this.lines.push(line);
    return true;
  }

  /** The lines written since the last take (with a note when some were left out), and a reset. */
  take(): string[] {
    const lines = this.lines;
    if (this.truncated) {
      const { maxLines, maxBytes } = this.limits;
      lines.push(
        `(output truncated: at most ${maxLines} lines and ${maxBytes} bytes per evaluation)`,
      );
    }
    this.lines = [];
    this.bytes = 0;
    this.truncated = false;
    return lines;
  }
}

/** The longest prefix of `text` that fits in `bytes` bytes of UTF-8, without a split character. */
function cutUtf8(text: string, bytes: number): string {
  // a prefix of `bytes` UTF-16 units holds at least `bytes` UTF-8 bytes: no need to encode more
  const encoded = Buffer.from(text.slice(0, bytes)).subarray(0, bytes);
  return encoded.toString("utf8").replace(/\uFFFD$/, "");
}
