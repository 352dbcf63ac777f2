// Top-level arguments a tool's input schema does not declare. JSON Schema lets an object carry
// properties it does not name unless the schema says `additionalProperties: false`, and most MCP
// servers leave that out; a gateway that forwards what a schema never mentions forwards whatever
// an attacker adds. So the input reports these names and the policy decides (the default policy
// refuses them).
//
// Declared means: named in `properties`, or matching a `patternProperties` pattern, of the root
// schema or of a root-level allOf/anyOf/oneOf branch or local $ref ("#/..."), followed a few
// levels deep. A schema that decides about extra properties itself (`additionalProperties` or
// `unevaluatedProperties` at its root) has already been enforced by the validator, and a schema
// that names no properties at all (`{"type": "object"}`) is free-form: neither reports any.
// Nested objects are not looked into: their schema applies as declared.
import { RE2JS } from "re2js";

/** How far allOf/anyOf/oneOf/$ref are followed from the root. */
const MAX_COMPOSITION_DEPTH = 4;

type SchemaObject = Record<string, unknown>;

const isObject = (value: unknown): value is SchemaObject =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** A local JSON pointer reference ("#/$defs/args") inside `root`; undefined when not local. */
function localTarget(root: SchemaObject, ref: string): unknown {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = root;
  try {
    for (const token of ref.slice(2).split("/")) {
      const key = decodeURIComponent(token).replaceAll("~1", "/").replaceAll("~0", "~");
      if (node === null || typeof node !== "object" || !Object.hasOwn(node, key)) return undefined;
      node = (node as SchemaObject)[key];
    }
  } catch {
    return undefined; // an invalid percent-encoding: not a reference we can follow
  }
  return node;
}

interface Declared {
  names: Set<string>;
  patterns: string[];
  /** some schema named properties (or patterns); otherwise the schema is free-form */
  any: boolean;
}

function collect(root: SchemaObject, schema: unknown, declared: Declared, depth: number): void {
  if (!isObject(schema) || depth > MAX_COMPOSITION_DEPTH) return;
  if (isObject(schema.properties)) {
    declared.any = true;
    for (const name of Object.keys(schema.properties)) declared.names.add(name);
  }
  if (isObject(schema.patternProperties)) {
    declared.any = true;
    declared.patterns.push(...Object.keys(schema.patternProperties));
  }
  for (const keyword of ["allOf", "anyOf", "oneOf"]) {
    const branches = schema[keyword];
    if (Array.isArray(branches))
      for (const branch of branches) collect(root, branch, declared, depth + 1);
  }
  if (typeof schema.$ref === "string")
    collect(root, localTarget(root, schema.$ref), declared, depth + 1);
}

/** Compiled patterns; one that does not compile declares nothing (the validator refuses it). */
function compiledPatterns(patterns: string[]): RE2JS[] {
  return patterns.flatMap((pattern) => {
    try {
      return [RE2JS.compile(pattern)];
    } catch {
      return [];
    }
  });
}

export function undeclaredArguments(schema: unknown, args: Record<string, unknown>): string[] {
  if (!isObject(schema)) return [];
  if ("additionalProperties" in schema || "unevaluatedProperties" in schema) return [];
  const declared: Declared = { names: new Set(), patterns: [], any: false };
  collect(schema, schema, declared, 0);
  if (!declared.any) return [];
  const patterns = compiledPatterns(declared.patterns);
  return Object.keys(args).filter(
    (name) => !declared.names.has(name) && !patterns.some((p) => p.test(name)),
  );
}
