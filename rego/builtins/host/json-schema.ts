// json.verify_schema and json.match_schema. Schemas compile with the bounded ajv setup that the gateway also uses for tool arguments
// (schema-validators.ts: size and depth limits, linear-time patterns, an LRU of
// compiled validators); results and messages are shaped as OPA's gojsonschema gives them
// ({error, type, field, desc}, "(root)" for the document itself). The first error is reported.
import type { ErrorObject } from "ajv";
import { compiledSchema } from "./schema-validators.ts";
import { builtinError, operandTypeError } from "./errors.ts";
import type { HostBuiltinTable } from "./types.ts";
import { goJsonError, isObject } from "./values.ts";

const PRIMITIVE_TYPES = ["array", "boolean", "integer", "number", "null", "object", "string"];

/** A schema or document given as JSON text or as a value. */
function jsonArgument(value: unknown, pos: number): unknown {
  if (typeof value === "string") {
    try {
      return JSON.parse(value);
    } catch {
      throw builtinError(goJsonError(value));
    }
  }
  if (!isObject(value)) throw operandTypeError(pos, value, "string", "object");
  return value;
}

/** gojsonschema's complaint about an unknown "type", found before ajv's wordier one. */
function unknownType(schema: unknown): string | undefined {
  if (Array.isArray(schema)) {
    for (const s of schema) {
      const found = unknownType(s);
      if (found) return found;
    }
    return undefined;
  }
  if (!isObject(schema)) return undefined;
  for (const [key, value] of Object.entries(schema)) {
    const types = key === "type" ? (Array.isArray(value) ? value : [value]) : [];
    for (const t of types) {
      if (typeof t === "string" && !PRIMITIVE_TYPES.includes(t)) {
        return `has a primitive type that is NOT VALID -- given: /${t}/ Expected valid values are:[${PRIMITIVE_TYPES.join(" ")}]`;
      }
    }
    const found = key === "enum" || key === "const" ? undefined : unknownType(value);
    if (found) return found;
  }
  return undefined;
}

function compile(schema: unknown) {
  const problem = unknownType(schema);
  if (problem) return { error: problem };
  return compiledSchema(schema, "rego", "json.schema");
}

/** The value ajv's instancePath points at, for gojsonschema's "given" type. */
function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v === "object" ? "object" : typeof v;
}

function at(doc: unknown, pointer: string): unknown {
  if (pointer === "") return doc;
  return pointer
    .slice(1)
    .split("/")
    .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
}

const fieldOf = (pointer: string): string =>
  pointer === ""
    ? "(root)"
    : pointer
        .slice(1)
        .split("/")
        .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"))
        .join(".");

/** One ajv error as gojsonschema's {error, type, field, desc}. */
function resultError(e: ErrorObject, doc: unknown): Record<string, string> {
  const field = fieldOf(e.instancePath);
  const p = e.params as Record<string, unknown>;
  let type = e.keyword;
  let desc = e.message ?? "is invalid";
  switch (e.keyword) {
    case "type":
      type = "invalid_type";
      desc = `Invalid type. Expected: ${String(p.type).split(",").join("/")}, given: ${typeName(at(doc, e.instancePath))}`;
      break;
    case "required":
      desc = `${String(p.missingProperty)} is required`;
      break;
    case "enum":
      desc = `${field} must be one of the following: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
      break;
    case "const":
      desc = `${field} does not match: ${JSON.stringify(p.allowedValue)}`;
      break;
    case "minimum":
    case "exclusiveMinimum":
    case "maximum":
    case "exclusiveMaximum": {
      const names: Record<string, [string, string]> = {
        minimum: ["number_gte", "greater than or equal to"],
        exclusiveMinimum: ["number_gt", "greater than"],
        maximum: ["number_lte", "less than or equal to"],
        exclusiveMaximum: ["number_lt", "less than"],
      };
      const [t, words] = names[e.keyword]!;
      type = t;
      desc = `Must be ${words} ${String(p.limit)}`;
      break;
    }
    case "minLength":
      type = "string_gte";
      desc = `String length must be greater than or equal to ${String(p.limit)}`;
      break;
    case "maxLength":
      type = "string_lte";
      desc = `String length must be less than or equal to ${String(p.limit)}`;
      break;
    case "pattern":
      desc = `Does not match pattern '${String(p.pattern)}'`;
      break;
    case "format":
      desc = `Does not match format '${String(p.format)}'`;
      break;
    case "additionalProperties":
      type = "additional_property_not_allowed";
      desc = `Additional property ${String(p.additionalProperty)} is not allowed`;
      break;
    case "minItems":
      type = "array_min_items";
      desc = `Array must have at least ${String(p.limit)} items`;
      break;
    case "maxItems":
      type = "array_max_items";
      desc = `Array must have at most ${String(p.limit)} items`;
      break;
    case "multipleOf":
      type = "multiple_of";
      desc = `Must be a multiple of ${String(p.multipleOf)}`;
      break;
  }
  return { error: `${field}: ${desc}`, type, field, desc };
}

function verifySchema([schemaValue]: unknown[]): unknown[] {
  const compiled = compile(jsonArgument(schemaValue, 1));
  return "error" in compiled && compiled.error !== undefined
    ? [false, `jsonschema: ${compiled.error}`]
    : [true, null];
}

function matchSchema([docValue, schemaValue]: unknown[]): unknown[] {
  const doc = jsonArgument(docValue, 1);
  const compiled = compile(jsonArgument(schemaValue, 2));
  if (compiled.error !== undefined) throw builtinError(compiled.error);
  const validate = compiled.validate!;
  if (validate(doc)) return [true, []];
  return [false, (validate.errors ?? []).map((e) => resultError(e, doc))];
}

export const jsonSchemaBuiltins: HostBuiltinTable = {
  "json.verify_schema": verifySchema,
  "json.match_schema": matchSchema,
};
