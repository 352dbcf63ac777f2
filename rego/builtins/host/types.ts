/** What a host builtin may ask of its caller. */
export interface HostContext {
  /** Current time in nanoseconds since the Unix epoch. */
  now(): bigint;
}

/** A builtin's implementation: JSON-parsed arguments in, a JSON-serialisable value out
 * (undefined = the call is undefined); failures are thrown as BuiltinError. */
export type HostBuiltin = (args: unknown[], ctx: HostContext) => unknown;

export type HostBuiltinTable = Record<string, HostBuiltin>;
