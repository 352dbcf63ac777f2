// Secret references in the catalog (`env:NAME`, `file:/path`) are resolved only when an upstream
// needs them. Errors name the reference, never a value.
import { readFileSync } from "node:fs";
import { isAbsolute } from "node:path";

export type SecretReference =
  | { kind: "literal"; value: string }
  | { kind: "env"; name: string }
  | { kind: "file"; path: string };

/** A reference that cannot be resolved; the message names the reference only. */
export class SecretResolutionError extends Error {
  override name = "SecretResolutionError";
}

export function parseSecretReference(value: string): SecretReference {
  if (value.startsWith("env:")) return { kind: "env", name: value.slice(4) };
  if (value.startsWith("file:")) return { kind: "file", path: value.slice(5) };
  return { kind: "literal", value };
}

/** What is wrong with how a reference is written, if anything (checked when the catalog loads). */
export function secretReferenceProblem(value: string): string | undefined {
  const ref = parseSecretReference(value);
  if (ref.kind === "env" && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(ref.name)) {
    return `secret reference ${value} must name an environment variable, like env:GITHUB_TOKEN`;
  }
  if (ref.kind === "file" && !isAbsolute(ref.path)) {
    return `secret reference ${value} must name an absolute path, like file:/run/secrets/token`;
  }
  return undefined;
}

/** The value behind a literal or a reference. A file's single trailing newline is dropped. */
export function resolveSecret(value: string, env: NodeJS.ProcessEnv = process.env): string {
  const ref = parseSecretReference(value);
  if (ref.kind === "literal") return ref.value;
  if (ref.kind === "env") {
    const found = env[ref.name];
    if (found === undefined)
      throw new SecretResolutionError(
        `secret reference ${value}: environment variable ${ref.name} is not set`,
      );
    if (found === "")
      throw new SecretResolutionError(
        `secret reference ${value}: environment variable ${ref.name} is empty`,
      );
    return found;
  }
  let text: string;
  try {
    text = readFileSync(ref.path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "unknown error";
    throw new SecretResolutionError(`secret reference ${value}: cannot read the file (${code})`);
  }
  const secret = text.replace(/\r?\n$/, "");
  if (secret === "")
    throw new SecretResolutionError(`secret reference ${value}: the file is empty`);
  return secret;
}

/** Resolves a map (stdio env, HTTP headers); reports every reference that fails, in one error. */
export function resolveSecrets(
  values: Record<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const resolved: Record<string, string> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    try {
      resolved[key] = resolveSecret(value, env);
    } catch (e) {
      if (!(e instanceof SecretResolutionError)) throw e;
      problems.push(`${key}: ${e.message}`);
    }
  }
  if (problems.length > 0) throw new SecretResolutionError(problems.join("\n"));
  return resolved;
}
