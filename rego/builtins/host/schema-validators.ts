// Validators for the inputSchema an upstream declares for a tool, compiled with ajv in the dialect
// the schema names (2020-12 when it names none, as MCP says; 2019-09 and draft-07 when its
// $schema says so). The schema comes from the upstream, so it is bounded before compiling, its
// regular expressions run in linear time (re2js), and a schema that does not compile is an error
// value, never an exception. Compiled once per (server, tool, schema digest), in a bounded LRU.
import { createHash } from "node:crypto";
import { Ajv, type Options, type ValidateFunction } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { RE2JS } from "re2js";

export const MAX_SCHEMA_CHARS = 256 * 1024;
export const MAX_SCHEMA_DEPTH = 64;
export const MAX_CACHED_VALIDATORS = 512;

export type CompiledSchema = { validate: ValidateFunction; error?: never } | { error: string };

type Dialect = "2020-12" | "2019-09" | "draft-07";

/** $schema (without scheme and trailing "#") => dialect, and the id ajv knows it by. */
const DIALECTS: Record<string, { dialect: Dialect; id: string }> = {
  "json-schema.org/draft/2020-12/schema": {
    dialect: "2020-12",
    id: "https://json-schema.org/draft/2020-12/schema",
  },
  "json-schema.org/draft/2019-09/schema": {
    dialect: "2019-09",
    id: "https://json-schema.org/draft/2019-09/schema",
  },
  "json-schema.org/draft-07/schema": {
    dialect: "draft-07",
    id: "http://json-schema.org/draft-07/schema#",
  },
};

/** ajv's RegExpEngine over re2js: `pattern` and `patternProperties` cannot backtrack. */
const linearRegExp = Object.assign(
  (pattern: string, flags: string) => {
    const compiled = RE2JS.compile(pattern);
    return {
      test: (text: string) => compiled.test(text),
      // ajv shares compiled patterns between schemas by this string: it must name the pattern
      toString: () => `/${pattern}/${flags}`,
    };
  },
  { code: "re2js" },
);

const AJV_OPTIONS: Options = {
  // upstream schemas carry keywords of their own (titles, examples, vendor fields)
  strict: false,
  // the first error only: all errors of a huge array would cost memory the caller chooses
  allErrors: false,
  // schemas are compiled one by one; an $id must not collide with an earlier upstream's
  addUsedSchema: false,
  code: { regExp: linearRegExp },
};

const instances = new Map<Dialect, Ajv | Ajv2019 | Ajv2020>();

function ajvFor(dialect: Dialect): Ajv | Ajv2019 | Ajv2020 {
  let ajv = instances.get(dialect);
  if (!ajv) {
    if (dialect === "2020-12") ajv = new Ajv2020(AJV_OPTIONS);
    else if (dialect === "2019-09") ajv = new Ajv2019(AJV_OPTIONS);
    else ajv = new Ajv(AJV_OPTIONS);
    addFormats.default(ajv);
    instances.set(dialect, ajv);
  }
  return ajv;
}

function deeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > limit) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** The schema to compile, with its $schema spelled as ajv knows it; or why it cannot be. */
function dialectOf(schema: object): { dialect: Dialect; schema: object } | { error: string } {
  const declared = (schema as { $schema?: unknown }).$schema;
  if (declared === undefined) return { dialect: "2020-12", schema };
  if (typeof declared !== "string") return { error: "$schema must be a string" };
  const known = DIALECTS[declared.replace(/#$/, "").replace(/^https?:\/\//, "")];
  if (!known)
    return {
      error: `$schema ${declared} is not a supported dialect (2020-12, 2019-09, draft-07)`,
    };
  return { dialect: known.dialect, schema: { ...schema, $schema: known.id } };
}

function compile(schema: unknown): CompiledSchema {
  if (typeof schema === "boolean") return { validate: ajvFor("2020-12").compile(schema) };
  if (schema === null || typeof schema !== "object" || Array.isArray(schema))
    return { error: "it is not a JSON Schema (an object)" };
  const chosen = dialectOf(schema);
  if ("error" in chosen) return chosen;
  try {
    return { validate: ajvFor(chosen.dialect).compile(chosen.schema) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

const cache = new Map<string, CompiledSchema>();
/** schema objects already measured and hashed (upstream lists are cached, so they repeat) */
const digests = new WeakMap<object, string | { error: string }>();

function measure(schema: unknown): string | { error: string } {
  let text: string | undefined;
  try {
    text = JSON.stringify(schema);
  } catch {
    return { error: "it cannot be serialized as JSON" };
  }
  if (text === undefined) return { error: "it is not a JSON value" };
  if (text.length > MAX_SCHEMA_CHARS)
    return { error: `it is larger than ${MAX_SCHEMA_CHARS} characters` };
  if (deeperThan(schema, MAX_SCHEMA_DEPTH))
    return { error: `it is nested deeper than ${MAX_SCHEMA_DEPTH} levels` };
  return createHash("sha256").update(text).digest("base64url");
}

function digestOf(schema: unknown): string | { error: string } {
  if (schema === null || typeof schema !== "object") return measure(schema);
  let digest = digests.get(schema);
  if (digest === undefined) {
    digest = measure(schema);
    digests.set(schema, digest);
  }
  return digest;
}

/** the last validator each schema object got, and for which tool: upstream lists are cached, so
 * a tool's calls bring the same schema object again and skip the digest and the LRU */
const lastOf = new WeakMap<object, { owner: string; compiled: CompiledSchema }>();

/** The compiled validator of one tool's schema; `{ error }` when the schema cannot be used. */
export function compiledSchema(schema: unknown, server: string, tool: string): CompiledSchema {
  const owner = `${server}\u0000${tool}`;
  const isObject = schema !== null && typeof schema === "object";
  const last = isObject ? lastOf.get(schema) : undefined;
  if (last?.owner === owner) return last.compiled;
  const compiled = cachedCompile(schema, owner);
  if (isObject) lastOf.set(schema, { owner, compiled });
  return compiled;
}

function cachedCompile(schema: unknown, owner: string): CompiledSchema {
  const digest = digestOf(schema);
  if (typeof digest !== "string") return digest;
  const key = `${owner}\u0000${digest}`;
  let compiled = cache.get(key);
  if (compiled) {
    cache.delete(key); // re-inserted below: the map's order is least recently used first
  } else {
    compiled = compile(schema);
    if (cache.size >= MAX_CACHED_VALIDATORS) cache.delete(cache.keys().next().value!);
  }
  cache.set(key, compiled);
  return compiled;
}

/** How many validators are cached (for tests of the bound). */
export function cachedValidators(): number {
  return cache.size;
}
