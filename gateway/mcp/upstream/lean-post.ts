// One JSON-RPC request POSTed to a Streamable HTTP upstream over node:http, its answer read as
// plain text: a JSON body, or an SSE stream whose events are decoded as they arrive. The SDK's
// client transport does the same through fetch, web streams and a schema parse of every message,
// which costs more per call than the rest of the gateway's work; connection.ts uses this for
// plain requests and keeps the SDK transport for the session's handshake, its GET stream and
// everything the upstream sends on its own. The request goes through the egress guard's socket
// pools, like every other outbound connection.
import type { EgressGuard } from "../../egress/index.ts";

/** Largest response body read from an upstream (JSON or the whole SSE stream). */
export const MAX_UPSTREAM_RESPONSE_BYTES = 32 * 1024 * 1024;

/** An answer that is not a JSON-RPC one: `code` is the HTTP status, or -1 for a 2xx answer that
 * is not MCP (the codes the SDK's transport errors carry, so errors.ts classifies both alike). */
export class UpstreamHttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "UpstreamHttpError";
  }
}

export interface LeanPostOptions {
  /** checks the URL and the address of every new socket (the transport's own guard) */
  egress: EgressGuard;
  headers: Record<string, string>;
  signal?: AbortSignal;
  maxBytes?: number;
  /** every JSON-RPC message of the answer, in order (an SSE stream may carry several) */
  onMessage(message: unknown): void;
}

/** POSTs `body`; resolves when the answer has been read to its end. */
export function leanPost(url: URL, body: string, options: LeanPostOptions): Promise<void> {
  const maxBytes = options.maxBytes ?? MAX_UPSTREAM_RESPONSE_BYTES;
  const payload = Buffer.from(body, "utf8");
  return new Promise((resolve, reject) => {
    const request = options.egress.request(url, {
      method: "POST",
      headers: {
        ...options.headers,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "content-length": String(payload.length),
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    request.once("error", reject);
    request.once("response", (response) => {
      const status = response.statusCode ?? 502;
      const type = (response.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
      let size = 0;
      let text = "";
      const sse = type === "text/event-stream" ? new SseDecoder(options.onMessage) : undefined;
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        size += Buffer.byteLength(chunk);
        if (size > maxBytes) {
          response.destroy();
          reject(new UpstreamHttpError(status, `the answer exceeds ${maxBytes} bytes`));
          return;
        }
        try {
          if (sse && status < 300) sse.push(chunk);
          else text += chunk;
        } catch (e) {
          response.destroy();
          reject(e);
        }
      });
      response.once("error", reject);
      response.once("end", () => {
        if (status < 200 || status >= 300) {
          reject(new UpstreamHttpError(status, `HTTP ${status}: ${text.slice(0, 200)}`));
          return;
        }
        if (sse) return resolve();
        if (status === 202) return resolve();
        if (type !== "application/json") {
          reject(new UpstreamHttpError(-1, `unexpected content type ${JSON.stringify(type)}`));
          return;
        }
        try {
          const decoded: unknown = JSON.parse(text);
          for (const message of Array.isArray(decoded) ? decoded : [decoded])
            options.onMessage(message);
          resolve();
        } catch (e) {
          reject(e);
        }
      });
    });
    request.end(payload);
  });
}

/** Server-sent events, decoded incrementally: each event's data lines form one JSON message. */
class SseDecoder {
  private buffer = "";

  constructor(private readonly onMessage: (message: unknown) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const end = this.eventEnd();
      if (end === undefined) return;
      const block = this.buffer.slice(0, end.at);
      this.buffer = this.buffer.slice(end.at + end.length);
      this.dispatch(block);
    }
  }

  /** Where the first complete event ends (a blank line; LF or CRLF line endings). */
  private eventEnd(): { at: number; length: number } | undefined {
    const lf = this.buffer.indexOf("\n\n");
    const crlf = this.buffer.indexOf("\r\n\r\n");
    if (lf < 0 && crlf < 0) return undefined;
    if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
    return { at: lf, length: 2 };
  }

  private dispatch(block: string): void {
    let data: string | undefined;
    let event = "message";
    for (const raw of block.split("\n")) {
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "data") data = data === undefined ? value : `${data}\n${value}`;
      else if (field === "event") event = value;
    }
    // priming events carry an id and no data; other event types are not JSON-RPC
    if (data === undefined || data === "" || event !== "message") return;
    this.onMessage(JSON.parse(data));
  }
}
