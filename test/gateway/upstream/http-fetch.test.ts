// nodeHttpFetch, the upstream transport's fetch: what goes out, what comes back, and aborts.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeHttpFetch } from "../../../gateway/mcp/upstream/http-fetch.ts";

interface Seen {
  method: string;
  headers: IncomingMessage["headers"];
  body: string;
}

describe("nodeHttpFetch", () => {
  const seen: Seen[] = [];
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString();
        seen.push({ method: req.method!, headers: req.headers, body });
        if (req.url === "/accepted") return void res.writeHead(202).end();
        if (req.url === "/hang") {
          res.writeHead(200, { "content-type": "text/event-stream" }).flushHeaders();
          return void res.write("data: first\n\n"); // then silence, like an idle event stream
        }
        if (req.url === "/redirect")
          return void res.writeHead(307, { location: "/elsewhere" }).end();
        res.writeHead(200, { "content-type": "application/json", "mcp-session-id": "s-1" });
        res.end(JSON.stringify({ echoed: body }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("sends the method, headers and body, and returns status, headers and body", async () => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", note: "héllo" });
    const response = await nodeHttpFetch(new URL(`${base}/mcp`), {
      method: "POST",
      headers: new Headers({ "content-type": "application/json", authorization: "Bearer up" }),
      body,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("mcp-session-id")).toBe("s-1");
    expect(await response.json()).toEqual({ echoed: body });
    const request = seen.at(-1)!;
    expect(request.method).toBe("POST");
    expect(request.headers.authorization).toBe("Bearer up");
    expect(request.headers["content-length"]).toBe(String(Buffer.byteLength(body)));
  });

  it("answers 202 with an empty body and leaves redirects unfollowed", async () => {
    const accepted = await nodeHttpFetch(`${base}/accepted`, { method: "POST", body: "{}" });
    expect(accepted.status).toBe(202);
    expect(await accepted.text()).toBe("");
    const redirect = await nodeHttpFetch(`${base}/redirect`, { method: "GET" });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get("location")).toBe("/elsewhere");
  });

  it("rejects when aborted before the answer, and errors the body when aborted while reading", async () => {
    const early = new AbortController();
    early.abort();
    await expect(nodeHttpFetch(`${base}/mcp`, { signal: early.signal })).rejects.toThrow();
    const late = new AbortController();
    const response = await nodeHttpFetch(`${base}/hang`, { signal: late.signal });
    const reading = response.text();
    late.abort();
    await expect(reading).rejects.toThrow();
  });

  it("refuses protocols other than http and https", async () => {
    await expect(nodeHttpFetch("file:///etc/passwd")).rejects.toThrow(/unsupported protocol/);
  });
});
