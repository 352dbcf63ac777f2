// lean-post.ts against a real node:http server that answers the way upstreams do: JSON, SSE split
// at awkward places, CRLF line endings, comments and priming events, errors and oversized bodies.
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leanPost, UpstreamHttpError } from "../../../gateway/mcp/upstream/lean-post.ts";
import { loopbackEgress } from "../../helpers/egress.ts";

type Script = (res: ServerResponse, body: string) => void;
const scripts = new Map<string, Script>();
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (c: string) => (body += c));
    req.on("end", () => scripts.get(req.url ?? "")!(res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

async function post(path: string, script: Script, maxBytes?: number): Promise<unknown[]> {
  scripts.set(path, script);
  const messages: unknown[] = [];
  await leanPost(new URL(path, base), '{"jsonrpc":"2.0","id":1,"method":"x"}', {
    egress: loopbackEgress(),
    headers: { "mcp-session-id": "s1" },
    onMessage: (m) => messages.push(m),
    ...(maxBytes ? { maxBytes } : {}),
  });
  return messages;
}

const sse = (res: ServerResponse) => res.writeHead(200, { "content-type": "text/event-stream" });
const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("leanPost", () => {
  it("reads a JSON answer, and sends the request in one piece with its headers", async () => {
    let seen = "";
    const messages = await post("/json", (res, body) => {
      seen = body;
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      res.end('{"jsonrpc":"2.0","id":1,"result":{"ok":true}}');
    });
    expect(seen).toBe('{"jsonrpc":"2.0","id":1,"method":"x"}');
    expect(messages).toEqual([{ jsonrpc: "2.0", id: 1, result: { ok: true } }]);
  });

  it("decodes SSE events split across chunks, with CRLF, comments, priming and multi-line data", async () => {
    const messages = await post("/sse", (res) => {
      sse(res);
      void (async () => {
        res.write("id: 0\ndata: \n\n"); // priming event: no message
        res.write(": keep-alive comment\n\n");
        res.write('event: message\r\ndata: {"jsonrpc":"2.0","method":"notifications/message",');
        await later(20);
        res.write(
          '"params":{"data":"a"}}\r\n\r\nevent: message\ndata: {"jsonrpc":"2.0",\ndata: "id":1,',
        );
        await later(20);
        res.end('"result":{}}\n\n');
      })();
    });
    expect(messages).toEqual([
      { jsonrpc: "2.0", method: "notifications/message", params: { data: "a" } },
      { jsonrpc: "2.0", id: 1, result: {} },
    ]);
  });

  it("fails with the status and the start of the body on an HTTP error", async () => {
    const failing = post("/404", (res) => res.writeHead(404).end("session not found"));
    await expect(failing).rejects.toBeInstanceOf(UpstreamHttpError);
    await expect(failing).rejects.toMatchObject({
      code: 404,
      message: "HTTP 404: session not found",
    });
  });

  it("refuses an answer that is not MCP (code -1), and one larger than the limit", async () => {
    const html = post("/html", (res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html></html>");
    });
    await expect(html).rejects.toMatchObject({ code: -1 });
    const big = post(
      "/big",
      (res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(`"${"x".repeat(10_000)}"`);
      },
      1000,
    );
    await expect(big).rejects.toThrow("the answer exceeds 1000 bytes");
  });

  it("fails on an SSE event that is not JSON", async () => {
    const garbage = post("/garbage", (res) => {
      sse(res);
      res.end("data: <html>\n\n");
    });
    await expect(garbage).rejects.toBeInstanceOf(SyntaxError);
  });
});
