// The pool of upstream connections (contracts.ts UpstreamPool): per catalog server, connections
// handed out by connection key (server + session, server + principal, or the server alone, as the
// catalog's `isolation` says), so no upstream state, list or message crosses from one key's
// callers to another's.
import { isDeepStrictEqual } from "node:util";
import type { Implementation } from "@modelcontextprotocol/sdk/types.js";
import { isolationOf, type Catalog, type CatalogServer } from "../../catalog/index.ts";
import type { PoolChanges, UpstreamClientHandlers, UpstreamPool } from "../contracts.ts";
import { defaultEgressGuard, type EgressGuard } from "../../egress/index.ts";
import { DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.ts";
import { consoleLogger, type Logger } from "./logger.ts";
import { ServerConnections } from "./server-connections.ts";

export { GATEWAY_CLIENT_CAPABILITIES } from "./connection.ts";
export { connectionKey } from "./connection-key.ts";
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
  /** per connection (default 64 in flight, then 256 queued, then refused) */
  maxInFlight?: number;
  maxQueued?: number;
  /** what HTTP upstreams may be reached (default: https to public addresses only) */
  egress?: EgressGuard;
  /** connect only when start() is called (the gateway binds its port first); default: at once */
  deferStart?: boolean;
}

/** A pool that can be told when to start connecting (UpstreamPoolOptions.deferStart). */
export interface StartableUpstreamPool extends UpstreamPool {
  /** starts every server's connection or probe; later calls do nothing */
  start(): void;
}

export function createUpstreamPool(
  catalog: Catalog,
  options: UpstreamPoolOptions = {},
): StartableUpstreamPool {
  let handlers: UpstreamClientHandlers | undefined;
  const connectionOptions = {
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
    egress: options.egress ?? defaultEgressGuard(),
    handlers: () => handlers,
  };
  const servers = new Map<string, ServerConnections>();
  let started = options.deferStart !== true;
  const add = (server: CatalogServer) => {
    const connections = new ServerConnections(server, connectionOptions);
    servers.set(server.name, connections);
    if (started) connections.start();
  };
  for (const server of catalog.servers.values()) add(server);
  /** removed or replaced servers finishing their requests */
  const draining = new Set<Promise<void>>();
  const drain = (server: ServerConnections) => {
    const done = server.drain(connectionOptions.requestTimeoutMs);
    draining.add(done);
    void done.then(() => draining.delete(done));
    return done;
  };

  let closing: Promise<void> | undefined;
  return {
    start() {
      if (started || closing) return;
      started = true;
      for (const server of servers.values()) server.start();
    },
    connection: (name, scope) => servers.get(name)?.connection(scope),
    server: (name) => servers.get(name),
    names: () => [...servers.keys()],
    status: () => [...servers.values()].map((s) => s.status()),
    setClientHandlers(next) {
      handlers = next;
    },
    endSession(scope) {
      for (const server of servers.values()) server.endSession(scope);
    },
    reconcile(next) {
      const changes: PoolChanges = {
        added: [],
        removed: [],
        changed: [],
        drained: Promise.resolve(),
      };
      if (closing) return changes;
      const stopping: ServerConnections[] = [];
      for (const [name, server] of servers) {
        if (next.servers.has(name)) continue;
        servers.delete(name);
        stopping.push(server);
        changes.removed.push(name);
      }
      for (const server of next.servers.values()) {
        const existing = servers.get(server.name);
        if (existing && sameConnection(existing.definition, server)) continue;
        if (existing) stopping.push(existing);
        (existing ? changes.changed : changes.added).push(server.name);
        add(server);
      }
      changes.drained = Promise.all(stopping.map(drain)).then(() => undefined);
      // after the caller's swap of the catalog (same tick), sessions that see them list again
      setImmediate(() => {
        for (const name of [...changes.added, ...changes.changed])
          for (const method of LIST_CHANGED)
            handlers?.onNotification(name, { jsonrpc: "2.0", method }, undefined);
      });
      return changes;
    },
    close() {
      closing ??= Promise.all([...[...servers.values()].map((s) => s.close()), ...draining]).then(
        () => undefined,
      );
      return closing;
    },
  };
}

const LIST_CHANGED = [
  "notifications/tools/list_changed",
  "notifications/resources/list_changed",
  "notifications/prompts/list_changed",
];

/** Only how to reach a server and who shares its connections matter; its tools' metadata is read
 * from the catalog per call. */
function sameConnection(a: CatalogServer, b: CatalogServer): boolean {
  return (
    isDeepStrictEqual(a.transport, b.transport) &&
    isDeepStrictEqual(a.credentials, b.credentials) &&
    isolationOf(a) === isolationOf(b) &&
    a.max_connections === b.max_connections &&
    a.idle_timeout_seconds === b.idle_timeout_seconds
  );
}
