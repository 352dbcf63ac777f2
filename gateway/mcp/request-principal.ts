// Each request is decided with the principal of its own credential, not the one that opened the
// session: the HTTP layer authenticates every request and hands its principal to the session's
// handlers with the message itself, in the SDK's per-message `authInfo` (the Streamable HTTP
// transport copies `req.auth` into every message's `extra.authInfo`; the fast path sets it on the
// extra it builds). Nothing shared per session or per request id carries it, so concurrent requests
// with different tokens cannot see each other's.
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { Principal } from "./contracts.ts";

const PRINCIPAL = "gatehousePrincipal";

/** authInfo carrying `principal`; never the token (nothing reads it, and it must not travel). */
export function authInfoFor(principal: Principal): AuthInfo {
  return {
    token: "",
    clientId: principal.clientId ?? "",
    scopes: principal.scopes ?? [],
    extra: { [PRINCIPAL]: principal },
  };
}

/** Attaches the principal to a Node request before the SDK transport reads it. */
export function attachPrincipal(req: object, principal: Principal): void {
  (req as { auth?: AuthInfo }).auth = authInfoFor(principal);
}

/** The principal a message arrived with, or undefined when its transport carries none (an
 * in-process transport, which has no credentials to present). */
export function principalOf(authInfo: AuthInfo | undefined): Principal | undefined {
  const principal = authInfo?.extra?.[PRINCIPAL];
  return principal !== null && typeof principal === "object" ? (principal as Principal) : undefined;
}
