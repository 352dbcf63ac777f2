// A tools/call's arguments checked against the tool's inputSchema as the upstream declared it:
// the result the policy input carries (mcp.arguments_valid, argument_errors, undeclared_arguments).
// Fails closed: no schema, or one that does not compile, makes the arguments invalid.
import type { ErrorObject } from "ajv";
import { compiledSchema } from "../../rego/index.ts";
import { undeclaredArguments } from "./undeclared-arguments.ts";

export const MAX_ARGUMENT_ERRORS = 10;
export const MAX_UNDECLARED_ARGUMENTS = 32;
/** an error message repeats values the caller chose (enum lists, patterns): keep it short */
const MAX_MESSAGE_CHARS = 300;
const MAX_NAME_CHARS = 100;

export interface ArgumentError {
  /** JSON pointer into the arguments ("" is the arguments object itself) */
  path: string;
  message: string;
}

export interface ArgumentCheck {
  valid: boolean;
  errors: ArgumentError[];
  /** top-level argument names the schema does not declare (see undeclared-arguments.ts) */
  undeclared: string[];
}

/** Which tool the schema belongs to: the validator cache is keyed by it. */
export interface SchemaOwner {
  server: string;
  tool: string;
}

function clipped(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}

function described(error: ErrorObject): ArgumentError {
  const params = error.params as Record<string, unknown>;
  let message = error.message ?? `fails ${error.keyword}`;
  if (error.keyword === "additionalProperties")
    message = `must not have the property ${String(params.additionalProperty)}`;
  else if (error.keyword === "enum" && Array.isArray(params.allowedValues))
    message = `must be one of ${JSON.stringify(params.allowedValues)}`;
  return { path: error.instancePath, message: clipped(message) };
}

/** A check that could not be made: the whole arguments object is invalid (fail closed). The
 * message reads after "arguments", as the policy quotes it. */
function invalid(message: string): ArgumentCheck {
  return { valid: false, errors: [{ path: "", message }], undeclared: [] };
}

export function validateArguments(
  schema: unknown,
  args: Record<string, unknown>,
  owner: SchemaOwner = { server: "", tool: "" },
): ArgumentCheck {
  if (schema === undefined || schema === null)
    return invalid("cannot be checked: the upstream declared no inputSchema for this tool");
  const compiled = compiledSchema(schema, owner.server, owner.tool);
  if (compiled.error !== undefined)
    return invalid(
      clipped(`cannot be checked: the upstream's inputSchema is invalid (${compiled.error})`),
    );
  let valid: boolean;
  try {
    valid = compiled.validate(args) === true;
  } catch (e) {
    return invalid(
      clipped(
        `cannot be checked: validation failed (${e instanceof Error ? e.message : String(e)})`,
      ),
    );
  }
  const errors = valid
    ? []
    : (compiled.validate.errors ?? [{ instancePath: "", message: "are invalid" } as ErrorObject])
        .slice(0, MAX_ARGUMENT_ERRORS)
        .map(described);
  const undeclared = undeclaredArguments(schema, args)
    .slice(0, MAX_UNDECLARED_ARGUMENTS)
    .map((name) => (name.length > MAX_NAME_CHARS ? `${name.slice(0, MAX_NAME_CHARS)}…` : name));
  return { valid, errors, undeclared };
}
