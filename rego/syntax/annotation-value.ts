// An annotation as Rego data, the object `rego.metadata.rule()` returns: OPA's field names, empty
// fields left out, refs (schema paths) written as arrays of strings.
import type { Annotations, Term } from "./ast.ts";

/** `input.x` => ["input", "x"]: strings as they are, other terms as their text. */
export function refStrings(terms: Term[]): string[] {
  return terms.map((t) => {
    switch (t.type) {
      case "string":
      case "number":
        return t.value;
      case "var":
        return t.name;
      case "boolean":
        return String(t.value);
      default:
        return t.type;
    }
  });
}

/** `writeRef` decides how schema refs appear (OPA's AST JSON writes them as terms). */
export function annotationValue(
  a: Annotations,
  writeRef: (terms: Term[]) => unknown = refStrings,
): Record<string, unknown> {
  const out: Record<string, unknown> = { scope: a.scope };
  if (a.title) out.title = a.title;
  if (a.entrypoint) out.entrypoint = true;
  if (a.description) out.description = a.description;
  if (a.organizations) out.organizations = a.organizations;
  if (a.relatedResources) out.related_resources = a.relatedResources;
  if (a.authors) out.authors = a.authors;
  if (a.schemas) {
    out.schemas = a.schemas.map((s) => ({
      path: writeRef(s.path),
      ...(s.schema ? { schema: writeRef(s.schema) } : {}),
      ...(s.definition !== undefined ? { definition: s.definition } : {}),
    }));
  }
  if (a.custom) out.custom = a.custom;
  return out;
}
