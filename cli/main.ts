// `gatehouse` command line. Each command group lives in cli/commands/<group>.ts.
import { createProgram } from "./program.ts";
import { printFailure } from "./failure.ts";

try {
  await createProgram().parseAsync(process.argv);
} catch (e) {
  printFailure(e);
  process.exitCode = 1;
}
