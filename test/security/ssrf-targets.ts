// Stand-ins for the SSRF attacks on the gateway's own fetches (ssrf-gateway-*.test.ts). The only
// "internal" targets a test can run on this machine are loopback ones, so:
// - a trap on 127.0.0.1 plays the internal service (or the metadata endpoint): every connection and
//   every byte it receives is kept, so a test can show it got nothing (no secret, no request);
// - a legitimate server on 127.0.0.2 plays the public identity provider / upstream; tests
//   allow-list exactly that address and port, never the trap's;
// - when both must share one port (DNS rebinding: one name, two answers), twinListeners() binds
//   the same port on both addresses.
// No traffic ever goes to a non-loopback address: requests to those are refused by the guard before
// any request object exists, which spyRequests() shows.
import http from "node:http";
import https from "node:https";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import { vi } from "vitest";

export const LEGIT_HOST = "127.0.0.2";

export interface Trap {
  port: number;
  /** connections accepted so far */
  connections(): number;
  /** everything received, as text */
  received(): string;
  close(): Promise<void>;
}

/** A TCP listener that answers nothing useful and remembers everything. */
export async function startTrap(host = "127.0.0.1", port = 0): Promise<Trap> {
  let connections = 0;
  let received = "";
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
    socket.on("close", () => sockets.delete(socket));
    socket.end(
      "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 45\r\n\r\n" +
        '{"keys":[],"token_endpoint":"internal-data"}',
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    connections: () => connections,
    received: () => received,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * One trap port on every loopback address a fetcher may be steered to (127.0.0.1, which
 * ::ffff:127.0.0.1 and 0.0.0.0 reach too; 127.0.0.2; ::1), never on a non-loopback interface.
 */
export async function startLoopbackTrap(): Promise<Trap> {
  const first = await startTrap("127.0.0.1");
  const traps = [
    first,
    await startTrap("127.0.0.2", first.port),
    await startTrap("::1", first.port),
  ];
  return {
    port: first.port,
    connections: () => traps.reduce((n, t) => n + t.connections(), 0),
    received: () => traps.map((t) => t.received()).join(""),
    close: async () => {
      await Promise.all(traps.map((t) => t.close()));
    },
  };
}

export interface LegitServer {
  origin: string;
  port: number;
  /** request lines received ("GET /path"), with their authorization header when any */
  requests: { line: string; authorization?: string; body: string }[];
  /** what each path answers; a handler may be replaced by a test */
  routes: Map<string, (req: http.IncomingMessage, res: http.ServerResponse) => void>;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.2 (the stand-in for a public host), closing each connection after
 * its answer so every request opens a new socket (and so a new connect-time check). */
export async function startLegitServer(port = 0): Promise<LegitServer> {
  const requests: LegitServer["requests"] = [];
  const routes: LegitServer["routes"] = new Map();
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (c: string) => (body += c));
    req.on("end", () => {
      requests.push({
        line: `${req.method} ${req.url}`,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        body,
      });
      res.shouldKeepAlive = false;
      const route = routes.get((req.url ?? "/").split("?")[0]!);
      if (route) return route(req, res);
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, LEGIT_HOST, () => resolve());
  });
  const bound = (server.address() as { port: number }).port;
  return {
    origin: `http://${LEGIT_HOST}:${bound}`,
    port: bound,
    requests,
    routes,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A legitimate server on 127.0.0.2:P and a trap on 127.0.0.1:P, the same P. */
export async function twinListeners(): Promise<{ legit: LegitServer; trap: Trap }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const legit = await startLegitServer();
    try {
      return { legit, trap: await startTrap("127.0.0.1", legit.port) };
    } catch {
      await legit.close(); // the port is taken on 127.0.0.1: try another
    }
  }
  throw new Error("no port free on both 127.0.0.1 and 127.0.0.2");
}

/** JSON answer helper for routes. */
export function json(body: unknown, status = 200) {
  return (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
}

const realHttp = http.request;
const realHttps = https.request;

/** Watches http.request and https.request (what the egress guard calls once a URL passed its
 * checks): the hosts requested, so a test can show a refused URL never got that far. */
export function spyRequests(): { hosts(): string[]; restore(): void } {
  const hosts: string[] = [];
  const watch = (real: typeof http.request) =>
    ((...args: unknown[]) => {
      if (args[0] instanceof URL) hosts.push(args[0].hostname);
      return (real as (...a: unknown[]) => http.ClientRequest)(...args);
    }) as typeof http.request;
  const plain = vi.spyOn(http, "request").mockImplementation(watch(realHttp));
  const secure = vi.spyOn(https, "request").mockImplementation(watch(realHttps));
  return {
    hosts: () => hosts,
    restore: () => {
      plain.mockRestore();
      secure.mockRestore();
    },
  };
}
