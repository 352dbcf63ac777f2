// print(...) and trace(note). The compiler turns `print(a, b)` into `internal.print([{a}, {b}])`,
// one set of values per argument (empty when the argument is undefined), as OPA does. Each
// combination of the arguments' values is one line: the values as Rego text (strings as they are)
// joined by spaces, `<undefined>` for an undefined argument. trace(note) writes `trace: <note>`.
// Both are always true and never fail the evaluation; without an output they write nothing.
import type { EvaluationOutput } from "./evaluation-output.ts";
import type { HostBuiltinTable } from "./types.ts";
import { regoText } from "./values.ts";

const UNDEFINED = "<undefined>";

export function printBuiltins(output: EvaluationOutput | undefined): HostBuiltinTable {
  return {
    "internal.print": ([operands]) => {
      try {
        if (output && Array.isArray(operands)) writeCombinations(operands, output);
      } catch {
        // a print that cannot be printed is left out: print never fails the evaluation
      }
      return true;
    },
    trace: ([note]) => {
      output?.write(`trace: ${valueText(note)}`);
      return true;
    },
  };
}

/** One line per combination of the operands' values (in set order), until the output is full. */
function writeCombinations(operands: unknown[], output: EvaluationOutput): void {
  const choices = operands.map((set) =>
    Array.isArray(set) && set.length > 0 ? set.map(valueText) : [UNDEFINED],
  );
  const picked = choices.map(() => 0);
  for (;;) {
    if (!output.write(picked.map((p, i) => choices[i]![p]).join(" "))) return;
    let i = picked.length - 1;
    while (i >= 0 && picked[i] === choices[i]!.length - 1) picked[i--] = 0;
    if (i < 0) return;
    picked[i]! += 1;
  }
}

const valueText = (v: unknown): string => (typeof v === "string" ? v : regoText(v));
