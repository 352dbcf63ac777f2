// Upstream credentials: what the gateway presents to each upstream (docs/upstream-credentials.md).
export { createCredentialProvider } from "./provider.ts";
export type { CredentialProvider } from "./provider.ts";
export { fetchWithCredentials } from "./authorized-fetch.ts";
export { OAuthClient } from "./oauth-client.ts";
export type { OAuthClientConfig, OAuthClientOptions, TokenTarget } from "./oauth-client.ts";
export { TokenCache, refreshMarginMs } from "./token-cache.ts";
export { requestToken, TokenRequestError, MAX_TOKEN_RESPONSE_BYTES } from "./token-client.ts";
export type { IssuedToken, TokenEndpoint } from "./token-client.ts";
export { discoverTokenEndpoint } from "./discovery.ts";
export type { Fetch } from "./bounded-fetch.ts";
