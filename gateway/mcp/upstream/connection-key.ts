// The connection key: which downstream callers share one upstream connection. A catalog server's
// isolation picks the part of the caller's scope that counts (the session, the principal, or
// nothing); callers whose key is equal share a connection, and nothing passes between keys.
import type { ConnectionScope, Isolation } from "../contracts.ts";

/** The part of a caller's scope that tells one server's connections apart ("" when shared). */
export function scopePart(isolation: Isolation, scope: ConnectionScope): string {
  if (isolation === "session") return scope.sessionPart ?? scope.sessionId;
  if (isolation === "principal") return scope.principalKey;
  return "";
}

/** The key as text, for logs and errors: `everything`, `everything session:<id>`,
 * `everything principal:<first 12 hex digits of the identity hash>`. */
export function connectionKey(server: string, isolation: Isolation, part: string): string {
  if (isolation === "shared") return server;
  return `${server} ${isolation}:${isolation === "principal" ? part.slice(0, 12) : part}`;
}
