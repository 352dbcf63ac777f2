// Runs `gatehouse` for the policy check/fmt tests: as a real process through the launcher, or in
// this process through the same commander program (faster; same code path after argv parsing).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { vi } from "vitest";
import { createProgram } from "../../cli/program.ts";

const launcher = fileURLToPath(new URL("../../cli/bin/gatehouse.js", import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function spawnGatehouse(cwd: string, ...args: string[]): CliRun {
  const run = spawnSync(process.execPath, [launcher, ...args], {
    cwd,
    encoding: "utf8",
    timeout: 170_000,
  });
  return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

export async function runGatehouse(...args: string[]): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout.push(String(chunk));
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr.push(String(chunk));
    return true;
  });
  process.exitCode = undefined;
  try {
    await (await createProgram(args)).parseAsync(["node", "gatehouse", ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { code, stdout: stdout.join(""), stderr: stderr.join("") };
}
