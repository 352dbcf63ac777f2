// Builtins OPA has for its own tests only: test.sleep. Known to the compiler so that such tests
// compile; they run where the host asks for them (the conformance runner, `policy test`) and are
// refused elsewhere: a sleeping policy would hold the gateway's event loop.
import { parseDuration } from "./time/duration.ts";
import { builtinError, stringOperand } from "./errors.ts";
import type { HostBuiltinTable } from "./types.ts";

/** The longest one call may sleep. */
const MAX_SLEEP_MS = 1000;

const sleepSlot = new Int32Array(new SharedArrayBuffer(4));

export function testOnlyBuiltins(enabled: boolean): HostBuiltinTable {
  return {
    "test.sleep": ([duration]) => {
      const ns = parseDuration(stringOperand(duration, 1));
      if (!enabled) {
        throw builtinError("test.sleep is only available in policy tests");
      }
      const ms = Number(ns / 1_000_000n);
      if (ms > MAX_SLEEP_MS)
        throw builtinError(`sleeps of more than ${MAX_SLEEP_MS} ms are refused`);
      if (ms > 0) Atomics.wait(sleepSlot, 0, 0, ms);
      return null;
    },
  };
}
