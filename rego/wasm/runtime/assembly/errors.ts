// How builtins report errors. With strict builtin errors on (gh_options() bit 0) the runtime aborts
// through env.opa_abort with `eval_type_error: <builtin>: <message>` or
// `eval_builtin_error: <builtin>: <message>`; otherwise the builtin's result is undefined (0).
// Every reporting function returns 0 so a builtin can `return typeError(...)`.
//
//   strictErrors(): bool
//   typeError(builtin, operand, expected, got): Value
//       `<builtin>: operand <n> must be <expected> but got <type of got>`; when `expected` lists
//       several types ("array, object, set, string") it reads `must be one of {array, ...}`
//   typeErrorMessage(builtin, message): Value          eval_type_error with a free message
//   builtinError(builtin, message): Value              eval_builtin_error: <builtin>: <message>
//   builtinErrorValue(builtin, message: Value): Value  same, message given as a string value
//   typeErrorValue(builtin, message: Value): Value     eval_type_error, message as a string value
//   fatal(message: string): void                       abort unconditionally (ASCII message)
import { opa_abort } from "./imports";
import { gh_options } from "./imports";
import { Value, typeName } from "./value";
import { bufNew, bufLiteral, bufInt, bufString, bufToCString } from "./buf";

export function strictErrors(): bool {
  return (gh_options() & 1) != 0;
}

function abortBuf(b: usize): void {
  opa_abort(bufToCString(b));
  unreachable();
}

function start(code: string, builtin: string): usize {
  const b = bufNew(128);
  bufLiteral(b, code);
  bufLiteral(b, ": ");
  bufLiteral(b, builtin);
  bufLiteral(b, ": ");
  return b;
}

export function typeError(builtin: string, operand: i32, expected: string, got: Value): Value {
  if (!strictErrors()) return 0;
  const b = start("eval_type_error", builtin);
  bufLiteral(b, "operand ");
  bufInt(b, operand);
  if (expected.indexOf(",") >= 0) {
    bufLiteral(b, " must be one of {");
    bufLiteral(b, expected);
    bufLiteral(b, "} but got ");
  } else {
    bufLiteral(b, " must be ");
    bufLiteral(b, expected);
    bufLiteral(b, " but got ");
  }
  bufLiteral(b, typeName(got));
  abortBuf(b);
  return 0;
}

export function typeErrorMessage(builtin: string, message: string): Value {
  if (!strictErrors()) return 0;
  const b = start("eval_type_error", builtin);
  bufLiteral(b, message);
  abortBuf(b);
  return 0;
}

export function builtinError(builtin: string, message: string): Value {
  if (!strictErrors()) return 0;
  const b = start("eval_builtin_error", builtin);
  bufLiteral(b, message);
  abortBuf(b);
  return 0;
}

export function builtinErrorValue(builtin: string, message: Value): Value {
  if (!strictErrors()) return 0;
  const b = start("eval_builtin_error", builtin);
  bufString(b, message);
  abortBuf(b);
  return 0;
}

export function typeErrorValue(builtin: string, message: Value): Value {
  if (!strictErrors()) return 0;
  const b = start("eval_type_error", builtin);
  bufString(b, message);
  abortBuf(b);
  return 0;
}

export function fatal(message: string): void {
  const b = bufNew(64);
  bufLiteral(b, message);
  abortBuf(b);
}
