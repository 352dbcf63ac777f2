// Audit files are readable by the gateway's user alone: folders 0700, files 0600 (the SQLite
// database and its -wal/-shm, the spool, the signing key). Modes are set explicitly after
// creating (the umask cannot widen or narrow them), and files found with wider modes are
// tightened when the gateway opens them.
import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync } from "node:fs";
import { dirname, resolve } from "node:path";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and missing parents, each 0700) unless it exists; an existing one is kept. */
export function ensurePrivateDir(dir: string): void {
  const target = resolve(dir);
  if (existsSync(target)) return;
  const first = mkdirSync(target, { recursive: true, mode: PRIVATE_DIR_MODE });
  // mkdir applies the umask: set the folders it created to exactly 0700
  if (first === undefined) return;
  for (let current = target; current.length >= first.length; current = dirname(current)) {
    chmodSync(current, PRIVATE_DIR_MODE);
    if (dirname(current) === current) break;
  }
}

/** The gateway's own data folder: created 0700, or tightened to 0700 when it exists. */
export function privateDataDir(dir: string): void {
  ensurePrivateDir(dir);
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Creates `path` empty with mode 0600 if it does not exist; an existing file is set to 0600. */
export function ensurePrivateFile(path: string): void {
  const fd = openSync(path, "a", PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

/** Sets each existing file of `paths` to 0600 (missing ones are skipped). */
export function tightenFiles(paths: readonly string[]): void {
  for (const path of paths) {
    try {
      chmodSync(path, PRIVATE_FILE_MODE);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
}
