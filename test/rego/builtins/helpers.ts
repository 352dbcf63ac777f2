// Shared helpers for the host-builtin tests.
import { hostBuiltins, type CustomBuiltin } from "../../../rego/builtins/host/index.ts";
import { builtins, hostImportName } from "../../../rego/builtins/registry.ts";

/** The host builtins by their Rego names (hostBuiltins() keys some by their import names). */
function byRegoName(table: Record<string, CustomBuiltin>): Record<string, CustomBuiltin> {
  return Object.fromEntries(
    [...builtins.values()]
      .filter((b) => b.placement === "host")
      .map((b) => [b.name, table[hostImportName(b.name)]!]),
  );
}

export const strict = byRegoName(
  hostBuiltins({ strictBuiltinErrors: true, now: () => 1_700_000_000_000_000_123n }),
);
export const lenient = byRegoName(hostBuiltins({ now: () => 1_700_000_000_000_000_123n }));

export function call(name: string, ...args: unknown[]): unknown {
  const fn = strict[name];
  if (!fn) throw new Error(`no host builtin ${name}`);
  return fn(...args);
}

/** The JSON text a result turns into on its way into the Wasm module. */
export const json = (value: unknown): string => JSON.stringify(value);

/** A strict call's error message (fails the test if the call succeeds). */
export function errorOf(name: string, ...args: unknown[]): string {
  try {
    const result = call(name, ...args);
    return `no error, result ${json(result)}`;
  } catch (err) {
    return (err as Error).message;
  }
}
