// A fresh temporary folder per test, removed afterwards, with a helper to write files into it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach } from "vitest";

export interface TempDir {
  /** the current test's folder */
  readonly path: string;
  /** writes `text` at `relativePath` (creating folders) and returns the full path */
  put(relativePath: string, text: string): string;
}

export function useTempDir(prefix: string): TempDir {
  let current = "";
  beforeEach(() => {
    current = mkdtempSync(join(tmpdir(), `${prefix}-`));
  });
  afterEach(() => {
    rmSync(current, { recursive: true, force: true });
  });
  return {
    get path() {
      return current;
    },
    put(relativePath, text) {
      const full = join(current, relativePath);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
      return full;
    },
  };
}
