// One request to an authorization server (metadata or token endpoint): a deadline for the whole
// exchange, no redirects (a redirect could carry the client secret elsewhere), and a cap on how
// much of the answer is read. The fetch given is the egress guard's (gateway/egress/), so the
// destination is checked before anything, the client secret included, is sent.
import { egressRefusalIn, type Fetch } from "../egress/index.ts";

export type { Fetch };

export interface BoundedFetchOptions {
  fetch: Fetch;
  timeoutMs: number;
  maxBytes: number;
}

export interface JsonAnswer {
  status: number;
  /** parsed JSON, or undefined when the body was not JSON */
  json: unknown;
}

/** Thrown for transport failures: timeout, refused connection, oversize body. Names no secret. */
export class AuthorizationServerError extends Error {
  override name = "AuthorizationServerError";
}

export async function fetchJson(
  url: string,
  init: RequestInit,
  options: BoundedFetchOptions,
): Promise<JsonAnswer> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  try {
    response = await options.fetch(url, { ...init, redirect: "manual", signal });
  } catch (e) {
    const refused = egressRefusalIn(e);
    if (refused) throw new AuthorizationServerError(refused.message);
    throw new AuthorizationServerError(
      signal.aborted
        ? `no answer within ${options.timeoutMs} ms`
        : `cannot reach it (${causeOf(e)})`,
    );
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel().catch(() => undefined);
    throw new AuthorizationServerError(
      `it answered with a redirect (HTTP ${response.status}), which is not followed`,
    );
  }
  const text = await readText(response, options.maxBytes, signal);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json };
}

async function readText(
  response: Response,
  maxBytes: number,
  signal: AbortSignal,
): Promise<string> {
  const declared = Number(response.headers.get("content-length"));
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new AuthorizationServerError(`its answer is larger than ${maxBytes} bytes`);
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new AuthorizationServerError(`its answer is larger than ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof AuthorizationServerError) throw e;
    throw new AuthorizationServerError(
      signal.aborted ? "its answer did not arrive in time" : `its answer broke off (${causeOf(e)})`,
    );
  }
  return Buffer.concat(chunks).toString("utf8");
}

function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
}
