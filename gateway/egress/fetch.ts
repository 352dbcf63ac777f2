// A fetch over node:http through the egress guard. Redirects are followed here, not by a library:
// each hop is a new request that the guard checks again (URL and connect-time address), at most
// MAX_REDIRECTS of them, and no credential is carried to another origin.
//
// node:http rather than Node's fetch: one request stack for every outbound connection, and the
// request's headers and body leave in one write (Node's fetch writes them in two packets, two
// wake-ups of the server), without the web-streams plumbing on the request side.
import type { ClientRequest, RequestOptions } from "node:http";
import { Readable } from "node:stream";

export type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;
export type Send = (url: URL, options: RequestOptions) => ClientRequest;

export const MAX_REDIRECTS = 5;

/** Statuses whose responses carry no body (the Response constructor refuses one). */
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
/** What a request keeps when a redirect sends it to another origin: content negotiation only.
 * Credentials live in more headers than Authorization (an upstream's x-api-key, its session id),
 * so everything else stays with the origin it was meant for. */
const CROSS_ORIGIN_HEADERS = new Set([
  "accept",
  "accept-language",
  "cache-control",
  "content-type",
  "last-event-id",
  "user-agent",
]);

export function fetchOver(send: Send): Fetch {
  return async (input, init = {}) => {
    let url = new URL(input);
    let method = (init.method ?? "GET").toUpperCase();
    let body = bodyBytes(init.body);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    for (let hop = 0; ; hop++) {
      const response = await once(send, url, method, headers, body, init.signal ?? undefined);
      const location = response.headers.get("location");
      if (!REDIRECT_STATUS.has(response.status) || location === null) return response;
      if (init.redirect === "manual") return response;
      await response.body?.cancel().catch(() => undefined);
      if (init.redirect === "error")
        throw new TypeError(`${url.origin} answered with a redirect, which this request refuses`);
      if (hop === MAX_REDIRECTS)
        throw new TypeError(`more than ${MAX_REDIRECTS} redirects, starting at ${url.origin}`);
      const next = new URL(location, url);
      if (
        response.status === 303 ||
        (response.status !== 307 && response.status !== 308 && method === "POST")
      ) {
        method = "GET";
        body = undefined;
        delete headers["content-type"];
      }
      if (next.origin !== url.origin)
        for (const name of Object.keys(headers))
          if (!CROSS_ORIGIN_HEADERS.has(name)) delete headers[name];
      url = next;
    }
  };
}

function once(
  send: Send,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  signal: AbortSignal | undefined,
): Promise<Response> {
  const sent = { ...headers };
  if (body) sent["content-length"] = String(body.length);
  else delete sent["content-length"];
  return new Promise((resolve, reject) => {
    const request = send(url, { method, headers: sent, ...(signal ? { signal } : {}) });
    request.once("error", reject);
    request.once("response", (response) => {
      const responseHeaders = new Headers();
      for (let i = 0; i < response.rawHeaders.length; i += 2)
        responseHeaders.append(response.rawHeaders[i]!, response.rawHeaders[i + 1]!);
      const status = response.statusCode ?? 502;
      const noBody = NULL_BODY_STATUS.has(status) || method === "HEAD";
      if (noBody) response.resume();
      try {
        resolve(
          new Response(noBody ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>), {
            status,
            statusText: response.statusMessage ?? "",
            headers: responseHeaders,
          }),
        );
      } catch (e) {
        response.destroy();
        reject(e);
      }
    });
    request.end(body);
  });
}

function bodyBytes(body: RequestInit["body"]): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof URLSearchParams) return Buffer.from(body.toString(), "utf8");
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  // the SDK and the token client only send strings; anything else is a programming error here
  throw new TypeError("egress fetch: unsupported body type");
}
