// A bare HTTP relay for the gateway bench: `node http-relay.ts <upstream-url>` forwards every request
// to the upstream over a keep-alive agent and streams the answer back, with no MCP, auth or policy
// work. It measures what one HTTP hop in Node costs on this machine, the floor under any gateway
// that terminates HTTP. Prints `http-relay: serving <url>` once listening; stops on SIGTERM.
import http from "node:http";
import type { AddressInfo } from "node:net";

const upstream = new URL(process.argv[2] ?? "");
const agent = new http.Agent({ keepAlive: true });
/** hop-by-hop headers (RFC 9110 §7.6.1) are the relay's own, not forwarded */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "te"]);

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const kept: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers))
    if (!HOP_BY_HOP.has(name) && value !== undefined) kept[name] = value;
  return kept;
}

const server = http.createServer((req, res) => {
  const forwarded = http.request(upstream, {
    method: req.method,
    headers: { ...endToEnd(req.headers), host: upstream.host },
    agent,
  });
  forwarded.once("response", (answer) => {
    res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
    answer.pipe(res);
  });
  forwarded.once("error", () => {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  });
  // a client that goes away mid-answer takes its upstream request with it
  res.once("close", () => {
    if (!res.writableFinished) forwarded.destroy();
  });
  req.pipe(forwarded);
});
server.listen(0, "127.0.0.1", () => {
  console.log(`http-relay: serving http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
});
process.once("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
