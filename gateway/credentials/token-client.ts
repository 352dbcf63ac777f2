// The OAuth token endpoint client: a form-encoded POST with the gateway's client authentication
// (RFC 6749 section 2.3.1), for the client_credentials and token-exchange (RFC 8693) grants.
// Errors name the endpoint and the server's error code, never the client secret or a token.
import { fetchJson, AuthorizationServerError, type BoundedFetchOptions } from "./bounded-fetch.ts";

export interface TokenEndpoint {
  url: string;
  clientId: string;
  clientSecret: string;
  authMethod: "client_secret_basic" | "client_secret_post";
}

export interface IssuedToken {
  accessToken: string;
  /** seconds, as the server said; undefined when it did not say */
  expiresIn?: number;
  scope?: string;
  /** RFC 8693 answers carry it */
  issuedTokenType?: string;
}

export class TokenRequestError extends Error {
  override name = "TokenRequestError";
  constructor(
    message: string,
    /** the server's OAuth error code (invalid_client, invalid_grant, ...), when it gave one */
    readonly oauthError?: string,
  ) {
    super(message);
  }
}

/** Token answers are small; anything bigger is not one. */
export const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

export async function requestToken(
  endpoint: TokenEndpoint,
  grant: Record<string, string | undefined>,
  options: Omit<BoundedFetchOptions, "maxBytes">,
): Promise<IssuedToken> {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(grant)) if (value !== undefined) form.set(name, value);
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  if (endpoint.authMethod === "client_secret_basic") {
    const pair = `${formEncode(endpoint.clientId)}:${formEncode(endpoint.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;
  } else {
    form.set("client_id", endpoint.clientId);
    form.set("client_secret", endpoint.clientSecret);
  }
  const what = `token request (${grant.grant_type}) to ${endpoint.url}`;
  let answer;
  try {
    answer = await fetchJson(
      endpoint.url,
      { method: "POST", headers, body: form.toString() },
      { ...options, maxBytes: MAX_TOKEN_RESPONSE_BYTES },
    );
  } catch (e) {
    if (e instanceof AuthorizationServerError)
      throw new TokenRequestError(`${what} failed: ${e.message}`);
    throw e;
  }
  const body = isObject(answer.json) ? answer.json : undefined;
  if (answer.status !== 200) {
    const code = typeof body?.error === "string" ? body.error : undefined;
    const description =
      typeof body?.error_description === "string"
        ? `: ${scrub(body.error_description, endpoint.clientSecret).slice(0, 200)}`
        : "";
    throw new TokenRequestError(
      `${what} failed: HTTP ${answer.status}${code ? `, ${code.slice(0, 64)}` : ""}${description}`,
      code,
    );
  }
  if (!body) throw new TokenRequestError(`${what} failed: the answer is not a JSON object`);
  const { access_token, token_type, expires_in, scope, issued_token_type } = body;
  if (typeof access_token !== "string" || access_token === "")
    throw new TokenRequestError(`${what} failed: the answer has no access_token`);
  if (typeof token_type !== "string" || token_type.toLowerCase() !== "bearer")
    throw new TokenRequestError(
      `${what} failed: token_type is ${JSON.stringify(token_type)}, only Bearer tokens can be sent upstream`,
    );
  if (expires_in !== undefined && !(typeof expires_in === "number" && expires_in > 0))
    throw new TokenRequestError(`${what} failed: expires_in is not a positive number`);
  return {
    accessToken: access_token,
    ...(expires_in !== undefined ? { expiresIn: expires_in } : {}),
    ...(typeof scope === "string" ? { scope } : {}),
    ...(typeof issued_token_type === "string" ? { issuedTokenType: issued_token_type } : {}),
  };
}

/** application/x-www-form-urlencoded, as RFC 6749 asks for the Basic credentials. */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, "+");
}

function scrub(text: string, secret: string): string {
  return secret.length > 0 ? text.split(secret).join("[redacted]") : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
