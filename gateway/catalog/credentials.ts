// The `credentials` block of a catalog server: what the gateway presents to that upstream, never the
// caller's own token (docs/upstream-credentials.md). Secrets here must be env:/file: references.
import { z } from "zod";
import { parseSecretReference, secretReferenceProblem } from "./secrets.ts";

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** An `env:NAME` or `file:/path` reference; a literal secret would end up in the catalog's Git history. */
const secretReference = z.string().superRefine((value, ctx) => {
  const problem = secretReferenceProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
  else if (parseSecretReference(value).kind === "literal")
    ctx.addIssue({
      code: "custom",
      message:
        "must be a secret reference (env:NAME or file:/absolute/path), not the secret itself",
    });
});

export const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");
export const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "must be an HTTP header name");

function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** Where a client secret is sent: https, or http only to this machine; no user:password@ in it. */
const secretSafeUrl = z
  .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
  .refine((value) => {
    const url = new URL(value);
    return url.protocol === "https:" || isLoopbackHost(url.hostname);
  }, "must be an https:// URL (http:// is allowed only for localhost and 127.0.0.1)")
  .refine((value) => {
    const url = new URL(value);
    return url.username === "" && url.password === "";
  }, "must not contain a user name or password");

const scope = z
  .string()
  .regex(
    /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/,
    "must be scope names separated by single spaces",
  );

/** The token endpoint and the gateway's client there. */
const oauthClient = {
  /** the token endpoint; or `issuer`, whose metadata names it */
  token_url: secretSafeUrl.optional(),
  issuer: secretSafeUrl.optional(),
  client_id: z.string().min(1),
  client_secret: secretReference,
  auth_method: z.enum(["client_secret_basic", "client_secret_post"]).default("client_secret_basic"),
};

/** What the token is for: scope, `audience` (a name the server knows) and RFC 8707 `resource`. */
const tokenTarget = {
  scope: scope.optional(),
  audience: z.string().min(1).optional(),
  resource: z.url({ error: "must be an absolute URI" }).optional(),
};

const staticCredentials = z
  .strictObject({
    type: z.literal("static"),
    /** http/sse: the request header that carries the value */
    header: headerName.optional(),
    /** stdio: the child's environment variable that carries the value */
    env: envName.optional(),
    value: secretReference,
    /** header only: sent as `<scheme> <value>`, e.g. Bearer */
    scheme: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]*$/, "must be an authentication scheme such as Bearer")
      .optional(),
  })
  .superRefine((c, ctx) => {
    if ((c.header === undefined) === (c.env === undefined))
      ctx.addIssue({
        code: "custom",
        message: "needs exactly one of header (http, sse) or env (stdio)",
      });
    if (c.scheme !== undefined && c.header === undefined)
      ctx.addIssue({ code: "custom", path: ["scheme"], message: "only applies to header" });
  });

const clientCredentials = z.strictObject({
  type: z.literal("oauth_client_credentials"),
  ...oauthClient,
  ...tokenTarget,
});

/** The token the gateway exchanges. Today only its own client-credentials token; the caller's
 * (inbound) token is not wired yet (see docs/upstream-credentials.md). */
const subjectToken = z.strictObject({
  source: z.literal("gateway_client_credentials").default("gateway_client_credentials"),
  ...tokenTarget,
});

const tokenExchange = z.strictObject({
  type: z.literal("oauth_token_exchange"),
  ...oauthClient,
  ...tokenTarget,
  subject_token: subjectToken.default({ source: "gateway_client_credentials" }),
});

function endpointProblems(
  c: { token_url?: string; issuer?: string },
  ctx: z.core.$RefinementCtx,
): void {
  if ((c.token_url === undefined) === (c.issuer === undefined))
    ctx.addIssue({
      code: "custom",
      message: "needs exactly one of token_url or issuer (whose metadata names the token endpoint)",
    });
}

export const upstreamCredentials = z.discriminatedUnion("type", [
  staticCredentials,
  clientCredentials.superRefine(endpointProblems),
  tokenExchange.superRefine(endpointProblems),
]);

export type UpstreamCredentials = z.infer<typeof upstreamCredentials>;
export type StaticCredentials = z.infer<typeof staticCredentials>;
export type ClientCredentialsConfig = z.infer<typeof clientCredentials>;
export type TokenExchangeConfig = z.infer<typeof tokenExchange>;
export type OAuthCredentials = ClientCredentialsConfig | TokenExchangeConfig;

/** The request header an http/sse upstream's credentials set, if any. */
export function credentialHeader(credentials: UpstreamCredentials): string | undefined {
  if (credentials.type === "static") return credentials.header;
  return "Authorization";
}

/** Cross-field problems between a server's transport and its credentials, as [path, message]. */
export function credentialsTransportProblems(
  credentials: UpstreamCredentials,
  transport: { type: string; headers?: Record<string, string>; env?: Record<string, string> },
): [PropertyKey[], string][] {
  const problems: [PropertyKey[], string][] = [];
  if (transport.type === "stdio") {
    if (credentials.type !== "static")
      problems.push([["credentials", "type"], "OAuth credentials need an http or sse transport"]);
    else if (credentials.header !== undefined)
      problems.push([["credentials", "header"], "a stdio server takes env, not header"]);
    else if (credentials.env !== undefined && transport.env?.[credentials.env] !== undefined)
      problems.push([
        ["credentials", "env"],
        `transport.env also sets ${credentials.env}; set it in one place`,
      ]);
    return problems;
  }
  if (credentials.type === "static" && credentials.env !== undefined) {
    problems.push([["credentials", "env"], `an ${transport.type} server takes header, not env`]);
    return problems;
  }
  const header = credentialHeader(credentials)?.toLowerCase();
  const clash = Object.keys(transport.headers ?? {}).find((name) => name.toLowerCase() === header);
  if (clash !== undefined)
    problems.push([
      ["transport", "headers", clash],
      "the credentials block sets this header; remove it here",
    ]);
  return problems;
}

/** Every secret reference of a credentials block, by field name (for --check-secrets). */
export function credentialSecretReferences(
  credentials: UpstreamCredentials,
): Record<string, string> {
  return credentials.type === "static"
    ? { value: credentials.value }
    : { client_secret: credentials.client_secret };
}
