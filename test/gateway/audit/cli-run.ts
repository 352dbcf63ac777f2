// Runs `gatehouse <args>` in this process through the commander program (as cli/bin does after
// argv parsing): stdout, stderr and the exit code it set; a CliError becomes stderr and code 1.
import { vi } from "vitest";
import { createProgram } from "../../../cli/program.ts";

export async function gatehouse(
  ...args: string[]
): Promise<{ out: string; err: string; code: number }> {
  let out = "";
  let err = "";
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation(((
    chunk: string,
    cb?: unknown,
  ) => {
    out += chunk;
    if (typeof cb === "function") cb();
    return true;
  }) as typeof process.stdout.write);
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation(((chunk: string) => {
    err += chunk;
    return true;
  }) as typeof process.stderr.write);
  process.exitCode = 0;
  try {
    const program = await createProgram(args);
    await program.exitOverride().parseAsync(["node", "gatehouse", ...args]);
  } catch (e) {
    err += e instanceof Error ? e.message : String(e);
    process.exitCode ||= 1;
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, err, code };
}
