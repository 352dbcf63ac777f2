// The keep-alive socket pools for requests to HTTP upstreams, shared by the lean POSTs
// (lean-post.ts) and the SDK transport's fetch (http-fetch.ts).
import http from "node:http";
import https from "node:https";

/**
 * A pooled socket idle this long is closed by the gateway, and sooner when the upstream announces
 * a shorter idle timeout (`Keep-Alive: timeout=N`: Node closes 1 s before it, but only on agents
 * that have a timeout of their own). Closing first means no request is written to a socket the
 * upstream is closing at that very moment, which fails the call with ECONNRESET (Node's own servers
 * announce 5 s and close at 6 s). A socket in use is not affected.
 */
export const UPSTREAM_SOCKET_IDLE_MS = 4_000;

const httpAgent = new http.Agent({ keepAlive: true, timeout: UPSTREAM_SOCKET_IDLE_MS });
const httpsAgent = new https.Agent({ keepAlive: true, timeout: UPSTREAM_SOCKET_IDLE_MS });

/** A request to an http: or https: upstream over the shared pools (sets `options.agent`). */
export function upstreamRequest(url: URL, options: http.RequestOptions): http.ClientRequest {
  if (url.protocol === "https:") {
    options.agent = httpsAgent;
    return https.request(url, options);
  }
  options.agent = httpAgent;
  return http.request(url, options);
}
