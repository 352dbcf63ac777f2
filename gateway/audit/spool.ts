// The local fallback when the decision store is down (`onStoreFailure: buffer`): record bodies as
// JSON Lines in the data dir, replayed into the store when it is back. Replaying renames the file
// first, so records spooled meanwhile go to a fresh file; replay is idempotent (records carry ids).
import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  mkdirSync,
} from "node:fs";
import { dirname } from "node:path";
import type { RecordBody } from "./record.ts";

export class SpoolFullError extends Error {
  override name = "SpoolFullError";
}

export class Spool {
  private readonly replayPath: string;

  constructor(
    readonly path: string,
    private readonly maxBytes: number,
  ) {
    this.replayPath = `${path}.replaying`;
  }

  /** Appends in the caller's turn (survives a process crash); `durable` also fsyncs. */
  append(bodies: RecordBody[], durable: boolean): void {
    const text = bodies.map((b) => `${JSON.stringify(b)}\n`).join("");
    const size = this.bytes();
    if (size + Buffer.byteLength(text) > this.maxBytes) {
      throw new SpoolFullError(
        `audit spool ${this.path} is full (${size} bytes, limit ${this.maxBytes}); raise audit.spoolMaxBytes or bring the store back`,
      );
    }
    mkdirSync(dirname(this.path), { recursive: true });
    if (!durable) {
      appendFileSync(this.path, text);
      return;
    }
    const fd = openSync(this.path, "a");
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** bytes waiting, both files */
  bytes(): number {
    return sizeOf(this.path) + sizeOf(this.replayPath);
  }

  pending(): boolean {
    return existsSync(this.path) || existsSync(this.replayPath);
  }

  /**
   * Moves the spool aside (unless an earlier replay left one) and returns its bodies; call
   * `finishReplay` once they are stored. Lines that do not parse (a crash while writing) are
   * kept in `<path>.rejected` and counted in `torn`.
   */
  takeForReplay(): { bodies: RecordBody[]; torn: number } {
    // lines set aside once, when the file is moved (a retried replay reads it again)
    let fresh = false;
    if (!existsSync(this.replayPath)) {
      if (!existsSync(this.path)) return { bodies: [], torn: 0 };
      renameSync(this.path, this.replayPath);
      fresh = true;
    }
    const bodies: RecordBody[] = [];
    const rejected: string[] = [];
    for (const line of readFileSync(this.replayPath, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      try {
        bodies.push(JSON.parse(line) as RecordBody);
      } catch {
        rejected.push(`${line}\n`);
      }
    }
    if (fresh && rejected.length > 0) appendFileSync(`${this.path}.rejected`, rejected.join(""));
    return { bodies, torn: rejected.length };
  }

  finishReplay(): void {
    rmSync(this.replayPath, { force: true });
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
