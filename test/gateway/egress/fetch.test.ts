// The egress guard's fetch (over node:http), used by the upstream transports and the token client:
// what goes out, what comes back, aborts, and redirects followed only hop by hop.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_REDIRECTS } from "../../../gateway/egress/index.ts";
import { loopbackEgress } from "../../helpers/egress.ts";

const guardedFetch = (input: string | URL, init?: RequestInit) =>
  loopbackEgress().fetch(input, init);

interface Seen {
  method: string;
  headers: IncomingMessage["headers"];
  body: string;
}

describe("the egress guard's fetch", () => {
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
        if (req.url === "/loop") return void res.writeHead(302, { location: "/loop" }).end();
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
    const response = await guardedFetch(new URL(`${base}/mcp`), {
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

  it("answers 202 with an empty body and leaves redirects unfollowed when asked (redirect: manual)", async () => {
    const accepted = await guardedFetch(`${base}/accepted`, { method: "POST", body: "{}" });
    expect(accepted.status).toBe(202);
    expect(await accepted.text()).toBe("");
    const redirect = await guardedFetch(`${base}/redirect`, { method: "GET", redirect: "manual" });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get("location")).toBe("/elsewhere");
  });

  it("follows a redirect hop by hop, keeping a 307's method and body", async () => {
    const response = await guardedFetch(`${base}/redirect`, { method: "POST", body: "again" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ echoed: "again" });
    expect(seen.at(-1)).toMatchObject({ method: "POST", body: "again" });
  });

  it("stops after MAX_REDIRECTS hops, and refuses a redirect when redirect is error", async () => {
    await expect(guardedFetch(`${base}/loop`)).rejects.toThrow(
      new RegExp(`more than ${MAX_REDIRECTS} redirects`),
    );
    await expect(guardedFetch(`${base}/redirect`, { redirect: "error" })).rejects.toThrow(
      /answered with a redirect/,
    );
  });

  it("rejects when aborted before the answer, and errors the body when aborted while reading", async () => {
    const early = new AbortController();
    early.abort();
    await expect(guardedFetch(`${base}/mcp`, { signal: early.signal })).rejects.toThrow();
    const late = new AbortController();
    const response = await guardedFetch(`${base}/hang`, { signal: late.signal });
    const reading = response.text();
    late.abort();
    await expect(reading).rejects.toThrow();
  });

  it("refuses protocols other than http and https", async () => {
    await expect(guardedFetch("file:///etc/passwd")).rejects.toThrow(/file: is not http or https/);
  });
});
