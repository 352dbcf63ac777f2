// The pool of upstream connections: one shared connection per catalog server (contracts.ts).
import type { Implementation } from "@modelcontextprotocol/sdk/types.js";
import type { Catalog } from "../../catalog/index.ts";
import type { UpstreamClientHandlers, UpstreamPool } from "../contracts.ts";
import { DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.ts";
import { Upstream } from "./connection.ts";
import { consoleLogger, type Logger } from "./logger.ts";

export { GATEWAY_CLIENT_CAPABILITIES } from "./connection.ts";
export { consoleLogger } from "./logger.ts";
export type { Logger } from "./logger.ts";
export type { BackoffOptions } from "./backoff.ts";

export interface UpstreamPoolOptions {
  logger?: Logger;
  /** where `env:NAME` secret references (and PATH for stdio children) are read; default process.env */
  env?: NodeJS.ProcessEnv;
  clientInfo?: Implementation;
  backoff?: BackoffOptions;
  /** per request unless the caller sets one; reset by progress (default 60 s) */
  requestTimeoutMs?: number;
  /** however much progress an upstream reports, a call ends after this (default 15 min) */
  maxTotalTimeoutMs?: number;
  /** for the initialize handshake (default 15 s) */
  connectTimeoutMs?: number;
  /** how long a request waits for an upstream that is (re)connecting (default 5 s) */
  readyWaitMs?: number;
  /** per upstream (default 64 in flight, then 256 queued, then refused) */
  maxInFlight?: number;
  maxQueued?: number;
}

export function createUpstreamPool(
  catalog: Catalog,
  options: UpstreamPoolOptions = {},
): UpstreamPool {
  let handlers: UpstreamClientHandlers | undefined;
  const upstreams = new Map<string, Upstream>();
  for (const server of catalog.servers.values()) {
    upstreams.set(
      server.name,
      new Upstream(server, {
        logger: options.logger ?? consoleLogger,
        env: options.env ?? process.env,
        clientInfo: options.clientInfo ?? { name: "gatehouse", version: "0.1.0" },
        backoff: options.backoff ?? DEFAULT_BACKOFF,
        requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
        maxTotalTimeoutMs: options.maxTotalTimeoutMs ?? 15 * 60_000,
        connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
        readyWaitMs: options.readyWaitMs ?? 5_000,
        maxInFlight: options.maxInFlight ?? 64,
        maxQueued: options.maxQueued ?? 256,
        handlers: () => handlers,
      }),
    );
  }
  for (const upstream of upstreams.values()) upstream.start();

  let closing: Promise<void> | undefined;
  return {
    get: (name) => upstreams.get(name),
    names: () => [...upstreams.keys()],
    status: () => [...upstreams.values()].map((u) => u.status()),
    setClientHandlers(next) {
      handlers = next;
    },
    close() {
      closing ??= Promise.all([...upstreams.values()].map((u) => u.close())).then(() => undefined);
      return closing;
    },
  };
}
