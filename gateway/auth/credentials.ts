// What credential a request carries: none, a bearer token (JWT), an API key, or something malformed.
// Checked on the raw header before any parsing: oversized or garbage values never reach a decoder.

/** API keys look like `ghk_<16 hex id>_<43 base64url secret>`; the id finds the stored digest. */
export const API_KEY_PREFIX = "ghk_";
export const API_KEY_PATTERN = /^ghk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export type Credential =
  | { kind: "none" }
  | { kind: "jwt"; token: string }
  | { kind: "api_key"; key: string }
  | { kind: "malformed"; reason: string };

/** RFC 6750 b64token */
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

export function readCredential(
  authorization: string | undefined,
  apiKeyHeader: string | undefined,
  maxTokenBytes: number,
): Credential {
  const hasAuthorization = authorization !== undefined && authorization !== "";
  const hasApiKey = apiKeyHeader !== undefined && apiKeyHeader !== "";
  if (hasAuthorization && hasApiKey)
    return { kind: "malformed", reason: "send either Authorization or X-API-Key, not both" };
  if (hasApiKey) {
    if (apiKeyHeader.length > 200 || !API_KEY_PATTERN.test(apiKeyHeader))
      return { kind: "malformed", reason: "the X-API-Key header is not a Gatehouse API key" };
    return { kind: "api_key", key: apiKeyHeader };
  }
  if (!hasAuthorization) return { kind: "none" };
  // the scheme plus one space, then the token
  if (authorization.length > maxTokenBytes + 7)
    return { kind: "malformed", reason: `the bearer token exceeds ${maxTokenBytes} bytes` };
  const match = BEARER.exec(authorization);
  if (!match)
    return { kind: "malformed", reason: "the Authorization header is not 'Bearer <token>'" };
  const token = match[1]!;
  if (token.startsWith(API_KEY_PREFIX)) {
    return API_KEY_PATTERN.test(token)
      ? { kind: "api_key", key: token }
      : { kind: "malformed", reason: "the bearer value is not a well-formed Gatehouse API key" };
  }
  return { kind: "jwt", token };
}
