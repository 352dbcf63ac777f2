// Saves a crash or a hang under reports/fuzz/ (gitignored): the target, the shrunk counterexample,
// the error, and the command that replays it.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const FINDINGS_DIR = fileURLToPath(new URL("../../reports/fuzz/", import.meta.url));

export interface Finding {
  target: string;
  kind: "crash" | "hang";
  seed: number;
  path?: string;
  error: string;
  counterexample?: string;
}

/** Writes the finding to its own file and returns the file's path. */
export function saveFinding(finding: Finding, dir = FINDINGS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = join(dir, `${finding.target}-${finding.kind}-${finding.seed}-${stamp}.json`);
  const replay =
    finding.path === undefined
      ? undefined
      : `npm run fuzz -- --target ${finding.target} --seed ${finding.seed} --path ${finding.path}`;
  writeFileSync(file, `${JSON.stringify({ ...finding, replay }, null, 2)}\n`);
  return file;
}
