// What a fuzz target is: a generator and a check, prepared once per worker thread. The runner
// (run.ts) and the test (fuzz.test.ts) drive targets the same way, through fuzz-worker.ts.
import fc from "fast-check";
import { RegoError } from "../../rego/errors.ts";

export interface FuzzProperty<T> {
  /** generates one execution's input (small recipes shrink well and print short) */
  arbitrary: fc.Arbitrary<T>;
  /** one execution: throws when the property does not hold for `value` */
  check(value: T): void;
}

export interface FuzzTarget<T = unknown> {
  name: string;
  /** the property, in one sentence, for the runner's report */
  summary: string;
  /** one-time setup in the worker: compile a policy, read the seed corpus */
  prepare(): Promise<FuzzProperty<T>>;
}

/** Thrown by checks: the property does not hold (the message says how). */
export class PropertyViolation extends Error {
  override name = "PropertyViolation";
}

export function violation(message: string): never {
  throw new PropertyViolation(message);
}

/**
 * The toolchain's positioned error: a RegoError whose every issue has a file:row:col inside the
 * sources, named in its message. Anything else thrown (TypeError, RangeError, ...) is a crash.
 */
export function expectPositionedRegoError(
  e: unknown,
  files: ReadonlyMap<string, string>,
  what: string,
): void {
  if (!(e instanceof RegoError)) violation(`${what} threw ${describeThrown(e)}, not a RegoError`);
  if (e.issues.length === 0) violation(`${what} threw a RegoError with no issue`);
  for (const issue of e.issues) {
    const loc = issue.location;
    if (!loc) violation(`${what}: issue without a location: ${issue.code}: ${issue.message}`);
    const source = files.get(loc.file);
    if (source === undefined)
      violation(
        `${what}: issue points to unknown file ${JSON.stringify(loc.file)}: ${issue.message}`,
      );
    const rows = source.split("\n").length;
    if (!(Number.isInteger(loc.row) && loc.row >= 1 && loc.row <= rows + 1))
      violation(`${what}: issue row ${loc.row} outside 1..${rows + 1}: ${issue.message}`);
    if (!(Number.isInteger(loc.col) && loc.col >= 1))
      violation(`${what}: issue column ${loc.col} is not a positive integer: ${issue.message}`);
  }
  const first = e.issues[0]!.location!;
  if (!e.message.includes(`${first.file}:${first.row}:${first.col}: `))
    violation(`${what}: the message does not name file:row:col: ${e.message.slice(0, 200)}`);
}

/** A thrown value as one line: its class, message and the top stack frame. */
export function describeThrown(e: unknown): string {
  if (e instanceof PropertyViolation) return e.message;
  if (e instanceof Error) {
    const frame = e.stack?.split("\n").find((l) => l.trimStart().startsWith("at "));
    return `${e.name}: ${e.message.slice(0, 300)}${frame ? ` (${frame.trim()})` : ""}`;
  }
  if (typeof e === "string") return `string ${JSON.stringify(e.slice(0, 300))}`;
  return `${typeof e} ${String(e).slice(0, 300)}`;
}

/**
 * Whether an evaluation failure is a crash rather than a clean error. Clean: what opa-wasm throws
 * for an abort (a string), a builtin's error (a plain Error or an object with a message). A crash:
 * a Wasm trap (unreachable, out-of-bounds access), a stack overflow, or a JavaScript bug
 * (TypeError, ReferenceError, SyntaxError from unreadable result JSON).
 */
export function isCrash(e: unknown): boolean {
  return (
    e instanceof WebAssembly.RuntimeError ||
    e instanceof RangeError ||
    e instanceof TypeError ||
    e instanceof ReferenceError ||
    e instanceof SyntaxError
  );
}
