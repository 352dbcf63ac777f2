// Finds an issuer's token endpoint from its metadata: OpenID Connect Discovery first, then RFC 8414
// authorization server metadata. The metadata must name the same issuer (RFC 8414 section 3.3).
import { fetchJson, AuthorizationServerError, type BoundedFetchOptions } from "./bounded-fetch.ts";
import { TokenRequestError } from "./token-client.ts";
import { metadataUrls } from "../auth/fetch-json.ts";

const MAX_METADATA_BYTES = 256 * 1024;

export async function discoverTokenEndpoint(
  issuer: string,
  options: Omit<BoundedFetchOptions, "maxBytes">,
): Promise<string> {
  const tried: string[] = [];
  const { openid, oauth } = metadataUrls(issuer);
  for (const url of [openid, oauth]) {
    let answer;
    try {
      answer = await fetchJson(
        url,
        { method: "GET", headers: { accept: "application/json" } },
        { ...options, maxBytes: MAX_METADATA_BYTES },
      );
    } catch (e) {
      if (!(e instanceof AuthorizationServerError)) throw e;
      tried.push(`${url}: ${e.message}`);
      continue;
    }
    const metadata = answer.json as { issuer?: unknown; token_endpoint?: unknown } | undefined;
    if (answer.status !== 200 || typeof metadata !== "object" || metadata === null) {
      tried.push(`${url}: HTTP ${answer.status}${answer.json === undefined ? ", not JSON" : ""}`);
      continue;
    }
    if (metadata.issuer !== issuer)
      throw new TokenRequestError(
        `issuer metadata at ${url} names issuer ${JSON.stringify(metadata.issuer)}, not ${issuer}`,
      );
    const endpoint = metadata.token_endpoint;
    if (typeof endpoint !== "string" || !URL.canParse(endpoint))
      throw new TokenRequestError(`issuer metadata at ${url} has no valid token_endpoint`);
    const parsed = new URL(endpoint);
    if (parsed.protocol !== "https:" && new URL(issuer).protocol === "https:")
      throw new TokenRequestError(`issuer metadata at ${url}: token_endpoint is not https`);
    return endpoint;
  }
  throw new TokenRequestError(
    `cannot discover the token endpoint of issuer ${issuer}: ${tried.join("; ")}`,
  );
}
