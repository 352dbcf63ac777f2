// The fields of a METADATA block, read from its YAML mapping as OPA reads them: unknown keys are
// ignored, scalars may stand for strings, authors and related resources take a short string form.
import type { Annotations, SchemaAnnotation, Term } from "./ast.ts";

export type AnnotationFields = Omit<Annotations, "loc" | "scope">;

/** Parses `input.x` or `schema.y` into ref terms; undefined if the text is not a ref. */
export type RefParser = (text: string) => Term[] | undefined;

/** A field that cannot be read; the message is reported at the METADATA line. */
export class AnnotationFieldError extends Error {}

const fail = (message: string): never => {
  throw new AnnotationFieldError(message);
};

/** The declared scope (undefined if not given) and the other fields; throws AnnotationFieldError. */
export function readAnnotationFields(
  doc: Record<string, unknown>,
  parseRef: RefParser,
): { scope: string | undefined; fields: AnnotationFields } {
  const fields: AnnotationFields = {};
  const title = optionalString(doc.title, "title");
  if (title) fields.title = title;
  const description = optionalString(doc.description, "description");
  if (description) fields.description = description;
  if (doc.entrypoint !== undefined && doc.entrypoint !== null) {
    if (typeof doc.entrypoint !== "boolean") fail("entrypoint must be true or false");
    if (doc.entrypoint === true) fields.entrypoint = true;
  }
  const organizations = listOf(doc.organizations, "organizations", (v) =>
    optionalString(v, "organizations entry"),
  ).filter((o): o is string => o !== undefined);
  if (organizations.length > 0) fields.organizations = organizations;
  const related = listOf(doc.related_resources, "related_resources", relatedResource);
  if (related.length > 0) fields.relatedResources = related;
  const authors = listOf(doc.authors, "authors", author);
  if (authors.length > 0) fields.authors = authors;
  const schemas = listOf(doc.schemas, "schemas", (v) => schema(v, parseRef));
  if (schemas.length > 0) fields.schemas = schemas;
  if (doc.custom !== undefined && doc.custom !== null) {
    if (!isMapping(doc.custom)) fail("custom must be a mapping");
    const custom = jsonValue(doc.custom, "custom") as Record<string, unknown>;
    if (Object.keys(custom).length > 0) fields.custom = custom;
  }
  const scope = optionalString(doc.scope, "scope");
  return { scope: scope || undefined, fields };
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** YAML scalars read into a string field keep their text, as go-yaml does. */
function optionalString(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return fail(`${field} must be a string`);
}

function listOf<T>(v: unknown, field: string, read: (item: unknown) => T): T[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return fail(`${field} must be a list`);
  return v.map(read);
}

function relatedResource(v: unknown): { ref: string; description?: string } {
  if (typeof v === "string") {
    if (v === "") fail("invalid related-resource definition: ref URL may not be empty string");
    return { ref: v };
  }
  if (!isMapping(v)) {
    return fail("invalid related-resource definition: invalid value type, must be string or map");
  }
  const ref = typeof v.ref === "string" ? v.ref.trim() : "";
  if (ref === "") fail("invalid related-resource definition: 'ref' value required in object");
  const description = typeof v.description === "string" ? v.description.trim() : "";
  return description ? { ref, description } : { ref };
}

/** `Jane Doe <jane@example.com>`: the last word, when in angle brackets, is the email. */
function author(v: unknown): { name?: string; email?: string } {
  if (typeof v === "string") {
    const words = v.split(/\s+/).filter((w) => w !== "");
    if (words.length === 0) fail("invalid author definition: author is an empty string");
    const last = words[words.length - 1]!;
    const hasEmail = last.length >= 2 && last.startsWith("<") && last.endsWith(">");
    const name = (hasEmail ? words.slice(0, -1) : words).join(" ");
    return nameAndEmail(name, hasEmail ? last.slice(1, -1) : "");
  }
  if (!isMapping(v))
    return fail("invalid author definition: invalid value type, must be string or map");
  const name = typeof v.name === "string" ? v.name.trim() : "";
  const email = typeof v.email === "string" ? v.email.trim() : "";
  if (!name && !email) {
    fail("invalid author definition: 'name' and/or 'email' values required in object");
  }
  return nameAndEmail(name, email);
}

function nameAndEmail(name: string, email: string): { name?: string; email?: string } {
  return { ...(name ? { name } : {}), ...(email ? { email } : {}) };
}

/** `- input.x: schema.y` (a schema document) or `- input.x: {type: ...}` (an inline definition). */
function schema(v: unknown, parseRef: RefParser): SchemaAnnotation {
  if (!isMapping(v)) return fail("invalid schema declaration: expected a mapping");
  const [key, value] = Object.entries(v)[0] ?? ["", undefined];
  const path = parseRef(key) ?? fail("invalid document reference");
  if (typeof value === "string") {
    const ref = parseRef(value);
    const head = ref?.[0];
    if (!ref || head?.type !== "var" || head.name !== "schema") fail("invalid schema reference");
    return { path, schema: ref };
  }
  if (isMapping(value)) return { path, definition: jsonValue(value, "schema definition") };
  return fail(`invalid schema declaration for path "${key}"`);
}

/** The value as JSON data; YAML's infinities, NaN and other non-JSON values are refused. */
function jsonValue(v: unknown, field: string): unknown {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") {
    return Number.isFinite(v) ? v : fail(`invalid ${field}: ${v} is not a JSON number`);
  }
  if (Array.isArray(v)) return v.map((x) => jsonValue(x, field));
  if (isMapping(v) && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonValue(x, field)]));
  }
  return fail(`invalid ${field}: not a JSON value`);
}
