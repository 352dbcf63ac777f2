// `gatehouse` command line. Each command group lives in cli/commands/<group>.ts.
import { createProgram } from "./program.ts";
import { printFailure } from "./failure.ts";

try {
  const program = await createProgram(process.argv.slice(2));
  await program.parseAsync(process.argv);
} catch (e) {
  printFailure(e);
  process.exitCode = 1;
}
