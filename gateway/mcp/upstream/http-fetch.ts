// A fetch for the Streamable HTTP client transport, over node:http with a keep-alive agent. Node's
// built-in fetch writes a request's headers and its body in two separate socket writes (two
// packets, two wake-ups of the upstream); http.request(...).end(body) sends both in one write,
// and skips the web-streams plumbing of the request side. Redirects are not followed (the SDK asks
// for redirect: "manual" and follows same-origin ones itself).
import { Readable } from "node:stream";
import { upstreamRequest } from "./agents.ts";

/** Statuses whose responses carry no body (the Response constructor refuses one). */
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

export function nodeHttpFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
  const url = new URL(input);
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return Promise.reject(new TypeError(`unsupported protocol ${url.protocol}`));
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => {
    headers[name] = value;
  });
  const body = bodyBytes(init.body);
  if (body) headers["content-length"] = String(body.length);
  const signal = init.signal ?? undefined;
  return new Promise((resolve, reject) => {
    const request = upstreamRequest(url, {
      method: init.method ?? "GET",
      headers,
      ...(signal ? { signal } : {}),
    });
    request.once("error", reject);
    request.once("response", (response) => {
      const responseHeaders = new Headers();
      for (let i = 0; i < response.rawHeaders.length; i += 2)
        responseHeaders.append(response.rawHeaders[i]!, response.rawHeaders[i + 1]!);
      const status = response.statusCode ?? 502;
      const noBody = NULL_BODY_STATUS.has(status) || init.method === "HEAD";
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
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  // the SDK only sends JSON strings; anything else is a programming error here
  throw new TypeError("nodeHttpFetch: unsupported body type");
}
