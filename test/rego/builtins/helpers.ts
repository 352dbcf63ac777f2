// Shared helpers for the host-builtin tests.
import { hostBuiltins, type CustomBuiltin } from "../../../rego/builtins/host/index.ts";
import { parseRegoValue } from "../../../rego/builtins/host/rego-value-text.ts";
import { regoText } from "../../../rego/builtins/host/values.ts";
import { builtins, hostImportName } from "../../../rego/builtins/registry.ts";

/** `fn` called with host values, as the module calls a `regoValues` builtin: as Rego text. */
export function throughRegoText(fn: CustomBuiltin): CustomBuiltin {
  return (...args) => {
    const result = fn(...args.map(regoText));
    return result === undefined ? undefined : parseRegoValue(result as string);
  };
}

/**
 * The host builtins by their Rego names (hostBuiltins() keys some by their import names), all
 * taking and returning host values.
 */
function byRegoName(table: Record<string, CustomBuiltin>): Record<string, CustomBuiltin> {
  return Object.fromEntries(
    [...builtins.values()]
      .filter((b) => b.placement === "host")
      .map((b) => {
        const fn = table[hostImportName(b.name)]!;
        return [b.name, b.regoValues ? throughRegoText(fn) : fn];
      }),
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
