// rand.intn: a random integer in [0, |n|), the same for the same (seed, n) throughout one
// evaluation, as OPA caches it per query (per-evaluation.ts).
import { randomInt } from "node:crypto";
import { intOperand, stringOperand } from "./errors.ts";
import { perEvaluation } from "./per-evaluation.ts";
import type { HostBuiltinTable } from "./types.ts";

/** crypto.randomInt's bound; larger n are drawn from this range too. */
const MAX_RANGE = 2 ** 48 - 1;

export function randBuiltins(): HostBuiltinTable {
  const drawn = perEvaluation(() => new Map<string, number>());
  return {
    "rand.intn": ([seed, limit]) => {
      const key = stringOperand(seed, 1);
      let n = intOperand(limit, 2);
      if (n === 0) return 0;
      n = Math.abs(n);
      const id = `${key}\u0000${n}`;
      let value = drawn().get(id);
      if (value === undefined) {
        value = randomInt(Math.min(n, MAX_RANGE));
        drawn().set(id, value);
      }
      return value;
    },
  };
}
