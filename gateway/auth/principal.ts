// Verified claims -> the policy's principal, through configurable claim paths. A path is tried
// as a whole claim name first (namespaced claims such as "https://example.com/groups" contain
// dots), then as a dotted walk ("realm_access.roles"); the first path that yields a value wins.
import type { Principal } from "../mcp/contracts.ts";
import type { ClaimPaths } from "./config.ts";

export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let value: unknown = claims;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, part))
      return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function first(claims: Record<string, unknown>, paths: string[]): unknown {
  for (const path of paths) {
    const value = claimAt(claims, path);
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

/** A list claim: an array of strings, or one string (space separated, as OAuth's `scope`). */
function stringList(value: unknown): string[] {
  if (typeof value === "string") return value.split(" ").filter((s) => s !== "");
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return [];
}

function optionalString(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/** The principal for a verified JWT, or why the claims cannot name one. */
export function principalFromClaims(
  claims: Record<string, unknown>,
  paths: ClaimPaths,
): Principal | { problem: string } {
  const sub = optionalString(first(claims, paths.subject));
  if (sub === null) return { problem: `the token has no subject (${paths.subject.join(", ")})` };
  return {
    sub,
    iss: optionalString(claims.iss),
    clientId: optionalString(first(claims, paths.clientId)),
    tenant: optionalString(first(claims, paths.tenant)),
    groups: stringList(first(claims, paths.groups)),
    roles: stringList(first(claims, paths.roles)),
    scopes: stringList(first(claims, paths.scopes)),
    claims,
    auth: "jwt",
  };
}
