// The pool of upstream connections: one shared connection per catalog server (contracts.ts).
import { isDeepStrictEqual } from "node:util";
import type { Implementation } from "@modelcontextprotocol/sdk/types.js";
import type { Catalog, CatalogServer } from "../../catalog/index.ts";
import type {
  PoolChanges,
  UpstreamClientHandlers,
  UpstreamPool,
  UpstreamRequestOptions,
} from "../contracts.ts";
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
    handlers: () => handlers,
  };
  const upstreams = new Map<string, PooledUpstream>();
  for (const server of catalog.servers.values())
    upstreams.set(server.name, new PooledUpstream(server, connectionOptions));
  for (const upstream of upstreams.values()) upstream.start();
  /** removed or replaced upstreams finishing their requests */
  const draining = new Set<Promise<void>>();
  const drain = (upstream: PooledUpstream) => {
    const done = upstream.drain(connectionOptions.requestTimeoutMs);
    draining.add(done);
    void done.then(() => draining.delete(done));
    return done;
  };

  let closing: Promise<void> | undefined;
  return {
    get: (name) => upstreams.get(name),
    names: () => [...upstreams.keys()],
    status: () => [...upstreams.values()].map((u) => u.status()),
    setClientHandlers(next) {
      handlers = next;
    },
    reconcile(next) {
      const changes: PoolChanges = {
        added: [],
        removed: [],
        changed: [],
        drained: Promise.resolve(),
      };
      if (closing) return changes;
      const stopping: PooledUpstream[] = [];
      for (const [name, upstream] of upstreams) {
        if (next.servers.has(name)) continue;
        upstreams.delete(name);
        stopping.push(upstream);
        changes.removed.push(name);
      }
      for (const server of next.servers.values()) {
        const existing = upstreams.get(server.name);
        if (existing && sameConnection(existing.definition, server)) continue;
        if (existing) stopping.push(existing);
        (existing ? changes.changed : changes.added).push(server.name);
        const fresh = new PooledUpstream(server, connectionOptions);
        upstreams.set(server.name, fresh);
        fresh.start();
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
      closing ??= Promise.all([...[...upstreams.values()].map((u) => u.close()), ...draining]).then(
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

/** Only how to reach a server matters; its tools' metadata is read from the catalog per call. */
function sameConnection(a: CatalogServer, b: CatalogServer): boolean {
  return (
    isDeepStrictEqual(a.transport, b.transport) && isDeepStrictEqual(a.credentials, b.credentials)
  );
}

/** An upstream whose requests in flight are counted, so a removed one can finish them first. */
class PooledUpstream extends Upstream {
  private inFlight = 0;
  private idle?: () => void;

  constructor(
    readonly definition: CatalogServer,
    options: ConstructorParameters<typeof Upstream>[1],
  ) {
    super(definition, options);
  }

  override async request(
    request: { method: string; params?: Record<string, unknown> },
    options: UpstreamRequestOptions,
  ): Promise<Record<string, unknown>> {
    this.inFlight++;
    try {
      return await super.request(request, options);
    } finally {
      if (--this.inFlight === 0) this.idle?.();
    }
  }

  /** Waits for the requests in flight (at most `graceMs`), then closes. */
  async drain(graceMs: number): Promise<void> {
    if (this.inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.idle = resolve;
        timer = setTimeout(resolve, graceMs);
      });
      clearTimeout(timer);
    }
    await this.close();
  }
}
