// Rego ref text as OPA prints it: `data.a.b`, with `["x-y"]` for segments that are not identifiers.

const keywords = new Set([
  "as",
  "contains",
  "default",
  "else",
  "every",
  "false",
  "if",
  "import",
  "in",
  "not",
  "null",
  "package",
  "some",
  "true",
  "with",
]);

function isIdentifier(segment: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment) && !keywords.has(segment);
}

/** `head` is printed as is; each following segment as `.seg` or `["seg"]`. */
export function refText(head: string, segments: string[]): string {
  return (
    head + segments.map((s) => (isIdentifier(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join("")
  );
}
