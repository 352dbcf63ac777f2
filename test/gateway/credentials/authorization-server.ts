// A real OpenID provider (oidc-provider) on 127.0.0.1 for the upstream-credentials tests: client
// credentials with resource indicators (RFC 8707), plus an RFC 8693 token-exchange grant, the one
// piece implemented here on the provider side (oidc-provider has no built-in token exchange).
// Every issued token and every request to /token is recorded.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider, { errors } from "oidc-provider";

export const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

export const BASIC_CLIENT = { id: "gatehouse", secret: "gatehouse-client-secret-0123456789" };
export const POST_CLIENT = { id: "gatehouse-post", secret: "gatehouse-post-secret-0123456789" };

export interface IssuedRecord {
  grant: string;
  clientId: string;
  token: string;
  resource?: string;
  scope?: string;
  subjectToken?: string;
}

export interface AuthorizationServer {
  issuer: string;
  tokenUrl: string;
  issued: IssuedRecord[];
  /** POSTs to /token, answered or refused */
  tokenRequests: number;
  /** revokes an opaque token it issued (the gateway's own client-credentials token) */
  revoke(token: string): Promise<void>;
  close(): Promise<void>;
}

export interface AuthorizationServerOptions {
  /** resource indicators the provider issues (JWT) access tokens for */
  resources: string[];
  /** lifetime of access tokens, seconds */
  accessTokenTtl?: number;
}

/** The part of oidc-provider's Koa context the grant handler and the recorder read. */
type Ctx = {
  oidc: { params: Record<string, string | undefined>; client: { clientId: string } };
  body: unknown;
};

export async function startAuthorizationServer(
  options: AuthorizationServerOptions,
): Promise<AuthorizationServer> {
  const ttl = options.accessTokenTtl ?? 300;
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: "ES256", use: "sig", kid: "upstream-test" };
  const state = { tokenRequests: 0, issued: [] as IssuedRecord[] };

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const http: Server = createServer((req, res) => {
    if (req.method === "POST" && req.url === "/token") state.tokenRequests++;
    handler!(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const resourceServerInfo = (resource: string) => {
    if (!options.resources.includes(resource))
      throw new errors.InvalidTarget(`unknown resource ${resource}`);
    return {
      scope: "mcp:tools",
      audience: resource,
      accessTokenFormat: "jwt",
      accessTokenTTL: ttl,
      jwt: { sign: { alg: "ES256" } },
    };
  };
  const client = (id: string, secret: string, method: string) => ({
    client_id: id,
    client_secret: secret,
    grant_types: ["client_credentials", TOKEN_EXCHANGE],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: method,
    // the only signing key is ES256; oidc-provider's default for ID tokens is RS256
    id_token_signed_response_alg: "ES256",
  });
  const provider = new Provider(issuer, {
    clients: [
      client(BASIC_CLIENT.id, BASIC_CLIENT.secret, "client_secret_basic"),
      client(POST_CLIENT.id, POST_CLIENT.secret, "client_secret_post"),
    ],
    jwks: { keys: [jwk] },
    scopes: ["mcp:tools", "gateway"],
    ttl: { ClientCredentials: ttl },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => resourceServerInfo(resource),
      },
    },
    cookies: { keys: ["upstream-credentials-test-cookie-key"] },
    // exchanged tokens name the client that acted (RFC 8693 section 4.1)
    extraTokenClaims: (ctx: Ctx | undefined) =>
      ctx?.oidc.params.grant_type === TOKEN_EXCHANGE
        ? { act: { sub: ctx.oidc.client.clientId } }
        : undefined,
  });
  provider.proxy = false;

  // RFC 8693, as far as the gateway uses it: the subject is an access token this provider issued
  // to the same client (looked up and checked for expiry), the result an access token for the
  // resource, naming the subject's client as the actor.
  provider.registerGrantType(
    TOKEN_EXCHANGE,
    async (ctx: Ctx) => {
      const { params, client } = ctx.oidc;
      if (params.subject_token_type !== ACCESS_TOKEN_TYPE)
        throw new errors.InvalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`);
      if (
        params.requested_token_type !== undefined &&
        params.requested_token_type !== ACCESS_TOKEN_TYPE
      )
        throw new errors.InvalidRequest(`requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
      if (!params.subject_token) throw new errors.InvalidRequest("subject_token is missing");
      const subject = await provider.ClientCredentials.find(params.subject_token);
      if (!subject || subject.clientId !== client.clientId)
        throw new errors.InvalidGrant("subject_token is not a valid token of this client");
      if (!params.resource) throw new errors.InvalidTarget("resource is required");
      const info = resourceServerInfo(params.resource);
      const token = new provider.ClientCredentials({ client, scope: params.scope ?? info.scope });
      token.resourceServer = new provider.ResourceServer(params.resource, info);
      ctx.body = {
        access_token: await token.save(),
        issued_token_type: ACCESS_TOKEN_TYPE,
        token_type: "Bearer",
        expires_in: token.expiration,
        scope: token.scope,
      };
    },
    [
      "subject_token",
      "subject_token_type",
      "requested_token_type",
      "resource",
      "audience",
      "scope",
    ],
  );

  provider.on("grant.success", (ctx: Ctx) => {
    const { params, client } = ctx.oidc;
    state.issued.push({
      grant: params.grant_type!,
      clientId: client.clientId,
      token: (ctx.body as { access_token: string }).access_token,
      ...(params.resource ? { resource: params.resource } : {}),
      ...(params.scope ? { scope: params.scope } : {}),
      ...(params.subject_token ? { subjectToken: params.subject_token } : {}),
    });
  });
  handler = provider.callback();

  return {
    issuer,
    tokenUrl: `${issuer}/token`,
    get issued() {
      return state.issued;
    },
    get tokenRequests() {
      return state.tokenRequests;
    },
    async revoke(token) {
      const found = await provider.ClientCredentials.find(token);
      if (!found) throw new Error("no such token to revoke");
      await found.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
