// Schema problems as one line each, `<file>: <field path>: <what>`, in plain words.
import type { z } from "zod";

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}

const expectedWords: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  record: "a mapping",
};

/** zod's error callback: messages for the issues catalog authors meet most. */
export function issueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.input === undefined) return "required";
  switch (issue.code) {
    case "invalid_type":
      return `must be ${expectedWords[issue.expected] ?? `a ${issue.expected}`}, got ${kindOf(issue.input)}`;
    case "invalid_value":
      return `must be one of ${issue.values.map(String).join(", ")}, got ${kindOf(issue.input)}`;
    case "invalid_union": {
      const discriminator =
        "discriminator" in issue ? (issue.discriminator as string | undefined) : undefined;
      if (discriminator === undefined) return undefined;
      const value = (issue.input as Record<string, unknown> | null)?.[discriminator];
      const options = ((issue as { options?: unknown[] }).options ?? []).map(String).join(", ");
      return value === undefined
        ? `required (one of ${options})`
        : `must be one of ${options}, got ${kindOf(value)}`;
    }
    default:
      return undefined;
  }
}

/** `transport.command`, `tools[2].server`, `tools.read_file.risk` */
export function fieldPath(path: PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

export function describeIssue(file: string, issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => `${file}: ${fieldPath([...issue.path, key])}: unknown field`);
  }
  const at = issue.path.length > 0 ? `${fieldPath(issue.path)}: ` : "";
  return [`${file}: ${at}${issue.message}`];
}
