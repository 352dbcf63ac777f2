// Builds the SDK client transport for one catalog server. Secret references are resolved here, at
// connect time, and the resolved values never leave this module except into the transport and the
// list of strings to redact from the child's stderr. The server's `credentials` (static, or OAuth
// tokens fetched lazily per request) are added here too; nothing of the caller's request is.
// Every HTTP request leaves through the egress guard: the SDK transports' fetch, the lean POSTs
// (via `http.egress`) and the token client's requests for OAuth credentials.
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import {
  DEFAULT_INHERITED_ENV_VARS,
  StdioClientTransport,
} from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Stream } from "node:stream";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { resolveSecrets, type CatalogServer } from "../../catalog/index.ts";
import {
  createCredentialProvider,
  fetchWithCredentials,
  type CredentialProvider,
} from "../../credentials/index.ts";
import { defaultEgressGuard, type EgressGuard } from "../../egress/index.ts";

export interface BuiltTransport {
  transport: Transport;
  /** stdio only: the child's stderr, piped (never inherited) */
  stderr?: Stream | null;
  /** resolved secret values, to scrub from anything the upstream prints */
  secrets: string[];
  /** streamable HTTP only: what connection.ts needs to POST requests itself (lean-post.ts) */
  http?: {
    url: URL;
    headers: Record<string, string>;
    credentials?: CredentialProvider;
    egress: EgressGuard;
  };
}

export function buildTransport(
  server: CatalogServer,
  env: NodeJS.ProcessEnv = process.env,
  egress: EgressGuard = defaultEgressGuard(),
): BuiltTransport {
  const t = server.transport;
  // a refused URL stops here, before any secret is resolved; the pool reports it as the
  // connection's error
  if (t.type !== "stdio") egress.checkUrl(t.url);
  const credentials = server.credentials
    ? createCredentialProvider(server.credentials, env, { fetch: egress.fetch })
    : undefined;
  const credentialSecrets = credentials?.secrets ?? [];
  if (t.type === "stdio") {
    const childEnv = stdioEnvironment({ ...resolveSecrets(t.env, env), ...credentials?.env }, env);
    const transport = new StdioClientTransport({
      command: t.command,
      args: t.args,
      // StdioClientTransport merges a few inherited variables (HOME, USER, ...) under ours; Node's
      // spawn skips keys whose value is undefined, which takes them out again.
      env: childEnv as Record<string, string>,
      stderr: "pipe",
      ...(t.cwd ? { cwd: t.cwd } : {}),
    });
    return {
      transport,
      stderr: transport.stderr,
      secrets: [...secretValues(t.env, childEnv), ...credentialSecrets],
    };
  }
  const headers = resolveSecrets(t.headers, env);
  const requestInit: RequestInit = { headers };
  const url = new URL(t.url);
  const secrets = [...secretValues(t.headers, headers), ...credentialSecrets];
  const fetch = credentials ? fetchWithCredentials(egress.fetch, credentials) : egress.fetch;
  if (t.type === "sse") {
    // the legacy transport sends requestInit.headers (and uses `fetch`) on its event stream and
    // its POSTs alike
    const transport = new SSEClientTransport(url, { requestInit, fetch });
    return { transport, secrets };
  }
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit,
    fetch,
    // few quick retries: a dead server should be noticed and the connection rebuilt by the pool
    reconnectionOptions: {
      initialReconnectionDelay: 200,
      maxReconnectionDelay: 2000,
      reconnectionDelayGrowFactor: 2,
      maxRetries: 2,
    },
  });
  return {
    transport,
    secrets,
    http: { url, headers, egress, ...(credentials ? { credentials } : {}) },
  };
}

/** Exactly the catalog's variables, plus PATH from the gateway when the catalog does not set it
 * (so a bare command like `node` or `npx` can be found); everything else is withheld. */
export function stdioEnvironment(
  resolved: Record<string, string>,
  env: NodeJS.ProcessEnv,
): Record<string, string | undefined> {
  const childEnv: Record<string, string | undefined> = {};
  for (const name of DEFAULT_INHERITED_ENV_VARS) childEnv[name] = undefined;
  if (env.PATH !== undefined) childEnv.PATH = env.PATH;
  return { ...childEnv, ...resolved };
}

/** Values that came from references (not literals) and are long enough to redact safely. */
function secretValues(
  declared: Record<string, string>,
  resolved: Record<string, string | undefined>,
): string[] {
  return Object.keys(declared)
    .filter((key) => declared[key] !== resolved[key])
    .map((key) => resolved[key])
    .filter((value): value is string => value !== undefined && value.length >= 4);
}
