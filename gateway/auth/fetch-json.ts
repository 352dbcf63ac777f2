// Fetches a small JSON document (issuer metadata, JWKS) with a timeout and a size bound, through the
// same bounded fetch as the token client and the egress guard's checks; errors say which URL failed
// and how, never echo the body (nor the URL's query).
import { fetchJson as boundedFetchJson } from "../credentials/bounded-fetch.ts";
import { displayUrl, type Fetch } from "../egress/index.ts";

export const MAX_METADATA_BYTES = 256 * 1024;
export const FETCH_TIMEOUT_MS = 5000;

export async function fetchJson(
  url: string,
  fetch: Fetch,
  maxBytes = MAX_METADATA_BYTES,
): Promise<unknown> {
  const shown = displayUrl(url);
  let answer;
  try {
    answer = await boundedFetchJson(
      url,
      { headers: { accept: "application/json" } },
      { fetch, timeoutMs: FETCH_TIMEOUT_MS, maxBytes },
    );
  } catch (e) {
    throw new Error(`${shown}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (answer.status < 200 || answer.status >= 300)
    throw new Error(`${shown}: HTTP ${answer.status}`);
  if (answer.json === undefined) throw new Error(`${shown}: the response is not JSON`);
  return answer.json;
}

/** An issuer's metadata URLs: RFC 8414 (the well-known part goes before the issuer's path, §3.1)
 * and OpenID Connect Discovery (after it). */
export function metadataUrls(issuer: string): { oauth: string; openid: string } {
  const url = new URL(issuer);
  const path = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "");
  return {
    oauth: `${url.origin}/.well-known/oauth-authorization-server${path}`,
    openid: `${url.origin}${path}/.well-known/openid-configuration`,
  };
}
