// Shared by the identity tests: a stand-in gateway with an `auth` section, MCP requests over raw
// HTTP with a chosen Authorization header, a recording logger, and JWTs crafted with jose.
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { importJWK, SignJWT, type JWK, type JWTPayload } from "jose";
import type { AuthLayer } from "../../../gateway/auth/config.ts";
import type { ConfigLayer } from "../../../gateway/config.ts";
import type { Gateway } from "../../../gateway/gateway.ts";
import type { Logger } from "../../../gateway/log.ts";
import { rawRequest, startStandInGateway, type RawResponse } from "../server/helpers.ts";
import { freePort } from "../upstream/helpers.ts";
import { LOOPBACK_EGRESS } from "../../helpers/egress.ts";

export const MCP_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

export const initializeBody = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: LATEST_PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: { name: "auth-test", version: "1.0.0" },
  },
});

export const listToolsBody = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" });
export const callEchoBody = JSON.stringify({
  jsonrpc: "2.0",
  id: 3,
  method: "tools/call",
  params: { name: "echo", arguments: {} },
});

export function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: (level, message, fields) =>
      void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
  };
}

/** A stand-in gateway on a port chosen in advance (resourceOnFreePort), so a provider can be told
 * the gateway's resource URI before the gateway starts. */
export function startAuthGateway(
  port: number,
  auth: AuthLayer,
  flags: ConfigLayer = {},
  log?: Logger,
): Promise<Gateway> {
  return startStandInGateway(
    { dev: false, egress: LOOPBACK_EGRESS, ...flags, port, auth },
    log ? { log } : {},
  );
}

export async function resourceOnFreePort(): Promise<{ port: number; resource: string }> {
  const port = await freePort();
  return { port, resource: `http://127.0.0.1:${port}/mcp` };
}

export function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return rawRequest(url, { headers: { ...MCP_HEADERS, ...headers }, body });
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** initialize + tools/list with the given headers; the stand-in's echo tool names the principal. */
export async function principalSeenBy(
  url: string,
  headers: Record<string, string>,
): Promise<string> {
  const init = await post(url, initializeBody, headers);
  if (init.status !== 200) throw new Error(`initialize: ${init.status} ${init.text}`);
  const session = init.headers["mcp-session-id"] as string;
  const list = await post(url, listToolsBody, { ...headers, "mcp-session-id": session });
  if (list.status !== 200) throw new Error(`tools/list: ${list.status} ${list.text}`);
  return list.json.result.tools[0].description as string;
}

/** A JWT access token (typ at+jwt, RFC 9068) signed with `key` (a private JWK) over `claims`,
 * header fields overridable. */
export async function signWith(
  key: JWK,
  claims: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  const alg = (header.alg as string | undefined) ?? key.alg ?? "ES256";
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid: key.kid, typ: "at+jwt", ...header })
    .sign(await importJWK(key, alg));
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The parameters of a Bearer challenge, e.g. {resource_metadata: "...", error: "..."}. */
export function challengeParams(header: unknown): Record<string, string> {
  const text = String(header ?? "");
  if (!text.startsWith("Bearer ")) throw new Error(`not a Bearer challenge: ${text}`);
  const params: Record<string, string> = {};
  for (const m of text.slice(7).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
    params[m[1]!] = m[2]!.replace(/\\(.)/g, "$1");
  return params;
}
