// Errors raised by host builtins, and the operand checks that produce OPA's type-error wording.
import { isRawNumber, RegoSet } from "./values.ts";

export type BuiltinErrorCode = "eval_type_error" | "eval_builtin_error";

/** A builtin failure; the dispatcher prefixes the builtin's name and the code. */
export class BuiltinError extends Error {
  readonly code: BuiltinErrorCode;
  constructor(code: BuiltinErrorCode, message: string) {
    super(message);
    this.name = "BuiltinError";
    this.code = code;
  }
}

export const builtinError = (message: string): BuiltinError =>
  new BuiltinError("eval_builtin_error", message);

export const operandError = (pos: number, message: string): BuiltinError =>
  new BuiltinError("eval_type_error", `operand ${pos} ${message}`);

/** OPA's name for a value's type (sets arrive as arrays unless the builtin takes Rego values). */
export function valueTypeName(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof RegoSet) return "set";
  if (Array.isArray(value)) return "array";
  if (isRawNumber(value)) return "number";
  switch (typeof value) {
    case "boolean":
      return "boolean";
    case "number":
    case "bigint":
      return "number";
    case "string":
      return "string";
    default:
      return "object";
  }
}

export const operandTypeError = (pos: number, got: unknown, ...expected: string[]): BuiltinError =>
  operandError(
    pos,
    expected.length === 1
      ? `must be ${expected[0]} but got ${valueTypeName(got)}`
      : `must be one of {${expected.join(", ")}} but got ${valueTypeName(got)}`,
  );

export function stringOperand(value: unknown, pos: number): string {
  if (typeof value !== "string") throw operandTypeError(pos, value, "string");
  return value;
}

export function numberOperand(value: unknown, pos: number): number {
  if (typeof value !== "number") throw operandTypeError(pos, value, "number");
  return value;
}

export function intOperand(value: unknown, pos: number): number {
  const n = numberOperand(value, pos);
  if (!Number.isInteger(n)) {
    throw operandError(pos, "must be integer number but got floating-point number");
  }
  return n;
}
