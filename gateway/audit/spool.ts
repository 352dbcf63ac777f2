// The local fallback when the decision store is down (`onStoreFailure: buffer`): record bodies as
// JSON Lines in the data dir, replayed into the store when it is back. Replaying renames the file
// first, so records spooled meanwhile go to a fresh file; replay is idempotent (records carry ids).
// Spool files are 0600 in a 0700 folder: they hold whole records.
import {
  closeSync,
  existsSync,
  fchmodSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { PRIVATE_FILE_MODE, ensurePrivateDir, tightenFiles } from "./private-files.ts";
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
    tightenFiles([path, this.replayPath, this.rejectedPath]);
  }

  private get rejectedPath(): string {
    return `${this.path}.rejected`;
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
    ensurePrivateDir(dirname(this.path));
    appendPrivate(this.path, text, durable);
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
    if (fresh && rejected.length > 0) appendPrivate(this.rejectedPath, rejected.join(""), false);
    return { bodies, torn: rejected.length };
  }

  finishReplay(): void {
    rmSync(this.replayPath, { force: true });
  }
}

/** Appends to a file that is (or is created) 0600; `durable` also fsyncs. */
function appendPrivate(path: string, text: string, durable: boolean): void {
  const fd = openSync(path, "a", PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
    writeSync(fd, text);
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
