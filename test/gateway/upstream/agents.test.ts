// The upstream socket pools (the egress guard's agents) against a real node:http server: a pooled socket is closed
// by the gateway before the upstream closes it, so a request is never written to a socket the
// upstream is closing; sockets in use are left alone however long they stay quiet.
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SOCKET_IDLE_MS } from "../../../gateway/egress/index.ts";
import { leanPost } from "../../../gateway/mcp/upstream/lean-post.ts";
import { loopbackEgress } from "../../helpers/egress.ts";

const ANSWER = '{"jsonrpc":"2.0","id":1,"result":{}}';
let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<URL> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
}

const egress = loopbackEgress();
const post = (url: URL) => leanPost(url, "{}", { egress, headers: {}, onMessage: () => undefined });

describe("upstream socket pools", () => {
  it("close an idle socket before the upstream's announced timeout, so a request sent as the upstream closes it still succeeds", async () => {
    const sockets: Socket[] = [];
    const closedByGateway: boolean[] = [];
    let sentAsUpstreamCloses: Promise<void> | undefined;
    const url = await listen((req, res) => {
      req.resume();
      req.on("end", () => {
        const socket = req.socket;
        if (!sockets.includes(socket)) {
          sockets.push(socket);
          socket.once("end", () => (closedByGateway[sockets.indexOf(socket)] = true));
        }
        res.writeHead(200, { "content-type": "application/json", "keep-alive": "timeout=2" });
        res.end(ANSWER);
        if (sockets.length > 1) return;
        // an upstream that closes idle connections exactly when it said it would, and a request
        // sent in that same instant: over the closing socket it would meet EPIPE or ECONNRESET
        res.once("finish", () =>
          setTimeout(() => {
            socket.destroy();
            sentAsUpstreamCloses = post(url);
          }, 2_000),
        );
      });
    });
    await post(url);
    await vi.waitUntil(() => sentAsUpstreamCloses !== undefined, { timeout: 5_000, interval: 50 });
    await expect(sentAsUpstreamCloses).resolves.toBeUndefined();
    expect(sockets).toHaveLength(2);
    expect(closedByGateway[0]).toBe(true);
  });

  it("leave a socket in use open while its answer pauses longer than the idle timeout", async () => {
    const url = await listen((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(": working\n\n");
        setTimeout(() => res.end(`event: message\ndata: ${ANSWER}\n\n`), SOCKET_IDLE_MS + 500);
      });
    });
    const messages: unknown[] = [];
    await leanPost(url, "{}", { egress, headers: {}, onMessage: (m) => messages.push(m) });
    expect(messages).toEqual([JSON.parse(ANSWER)]);
  }, 15_000);
});
