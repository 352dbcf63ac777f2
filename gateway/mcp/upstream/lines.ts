// Splits a child's stderr into log lines: each line capped, and at most `maxLines` lines per
// window, then one "suppressed" note, so a noisy upstream cannot flood the gateway's log.
export interface LineSinkOptions {
  maxLineLength: number;
  maxLines: number;
  windowMs: number;
}

export const DEFAULT_LINE_SINK: LineSinkOptions = {
  maxLineLength: 2000,
  maxLines: 100,
  windowMs: 60_000,
};

export function createLineSink(
  emit: (line: string) => void,
  options: LineSinkOptions = DEFAULT_LINE_SINK,
  now = Date.now,
): { write(chunk: Buffer | string): void; flush(): void } {
  let partial = "";
  let windowStart = now();
  let count = 0;
  let suppressed = 0;

  const push = (line: string) => {
    if (line === "") return;
    const t = now();
    if (t - windowStart >= options.windowMs) {
      if (suppressed > 0) emit(`(${suppressed} lines suppressed)`);
      windowStart = t;
      count = 0;
      suppressed = 0;
    }
    if (count >= options.maxLines) {
      suppressed++;
      return;
    }
    count++;
    emit(line.length > options.maxLineLength ? `${line.slice(0, options.maxLineLength)}…` : line);
  };

  return {
    write(chunk) {
      partial += chunk.toString();
      const lines = partial.split(/\r?\n/);
      partial = lines.pop() ?? "";
      // a line with no newline in sight is cut here rather than buffered without bound
      if (partial.length > options.maxLineLength) {
        lines.push(partial);
        partial = "";
      }
      for (const line of lines) push(line);
    },
    flush() {
      push(partial);
      partial = "";
    },
  };
}
