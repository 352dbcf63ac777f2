// What the gateway presents to one upstream, from its catalog `credentials` block: headers for
// each HTTP request (static, or an OAuth bearer token fetched lazily and cached), or environment
// variables for a stdio child (static only). Nothing here ever sees the caller's request.
import {
  resolveSecret,
  type OAuthCredentials,
  type UpstreamCredentials,
} from "../catalog/index.ts";
import { OAuthClient, type OAuthClientOptions } from "./oauth-client.ts";
import { TokenRequestError } from "./token-client.ts";

export interface CredentialProvider {
  /** headers to add to one upstream HTTP request */
  headers(): Promise<Record<string, string>>;
  /** The upstream answered 401 to a request that carried `sent`. Drops the token it held, and
   * says whether asking headers() again can give different ones (worth one retry). */
  refused(sent: Record<string, string>): boolean;
  /** environment variables for a stdio child */
  readonly env: Record<string, string>;
  /** resolved secret values, to redact from anything the upstream prints */
  readonly secrets: string[];
}

/** OAuth clients outlive connections (a reconnect must not refetch a valid token); a catalog
 * reload brings new credentials objects and so new clients. */
const oauthClients = new WeakMap<OAuthCredentials, { secret: string; client: OAuthClient }>();

/** Secret references are resolved now; an unresolvable one throws SecretResolutionError. */
export function createCredentialProvider(
  credentials: UpstreamCredentials,
  env: NodeJS.ProcessEnv = process.env,
  options: OAuthClientOptions = {},
): CredentialProvider {
  if (credentials.type === "static") {
    const value = resolveSecret(credentials.value, env);
    if (credentials.env !== undefined) {
      const childEnv = { [credentials.env]: value };
      return { headers: async () => ({}), refused: () => false, env: childEnv, secrets: [value] };
    }
    const headerValue = credentials.scheme ? `${credentials.scheme} ${value}` : value;
    const headers = { [credentials.header!]: headerValue };
    return { headers: async () => headers, refused: () => false, env: {}, secrets: [value] };
  }
  const secret = resolveSecret(credentials.client_secret, env);
  const client = oauthClientFor(credentials, secret, options);
  const target = {
    scope: credentials.scope,
    audience: credentials.audience,
    resource: credentials.resource,
  };
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const refused = (sent: Record<string, string>) => {
    const token = /^Bearer (.+)$/.exec(sent.Authorization ?? "")?.[1];
    if (token !== undefined) client.forget(token);
    return true;
  };
  if (credentials.type === "oauth_client_credentials")
    return {
      headers: async () => bearer(await client.clientCredentials(target)),
      refused,
      env: {},
      secrets: [secret],
    };
  const { source: _gatewayOwnToken, ...subjectTarget } = credentials.subject_token;
  const exchanged = async () => {
    const subject = await client.clientCredentials(subjectTarget);
    try {
      return await client.exchange(subject, target);
    } catch (e) {
      // the server no longer honours the subject token (revoked, expired early): get a fresh one
      if (!(e instanceof TokenRequestError) || e.oauthError !== "invalid_grant") throw e;
      client.forget(subject);
      return client.exchange(await client.clientCredentials(subjectTarget), target);
    }
  };
  return {
    headers: async () => bearer(await exchanged()),
    refused,
    env: {},
    secrets: [secret],
  };
}

function oauthClientFor(
  credentials: OAuthCredentials,
  secret: string,
  options: OAuthClientOptions,
): OAuthClient {
  const known = oauthClients.get(credentials);
  if (known && known.secret === secret) return known.client;
  const client = new OAuthClient(
    {
      tokenUrl: credentials.token_url,
      issuer: credentials.issuer,
      clientId: credentials.client_id,
      clientSecret: secret,
      authMethod: credentials.auth_method,
    },
    options,
  );
  oauthClients.set(credentials, { secret, client });
  return client;
}
