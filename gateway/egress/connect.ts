// The connect-time half of the egress guard: socket pools (http.Agent / https.Agent) whose every new
// connection is checked against the policy with the address actually dialled. A literal host is
// checked as is; a name is resolved by the guard's own lookup, every answer checked, and the socket
// connects to an address from that same answer: nothing re-resolves between check and connect, so
// a DNS answer that changes (rebinding) is checked again, never trusted from an earlier look.
import { promises as dns, type LookupAddress, type LookupOptions } from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { Duplex } from "node:stream";
import { classifyAddress } from "./classify.ts";
import { normalizeHost, type Destination, type EgressPolicy } from "./policy.ts";
import { EgressRefusedError } from "./refusal.ts";

/** Host name to addresses; tests give their own (the default asks the system resolver). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true });

/**
 * A pooled socket idle this long is closed by the gateway, and sooner when the server announces
 * a shorter idle timeout (`Keep-Alive: timeout=N`: Node closes 1 s before it, but only on agents
 * that have a timeout of their own). Closing first means no request is written to a socket the
 * server is closing at that very moment, which fails the call with ECONNRESET (Node's own servers
 * announce 5 s and close at 6 s). A socket in use is not affected.
 */
export const SOCKET_IDLE_MS = 4_000;

type Callback = (err: Error | null, stream: Duplex) => void;
type Create = (options: http.ClientRequestArgs) => Duplex | null | undefined;

interface Connector {
  policy: EgressPolicy;
  resolve: Resolver;
}

export class GuardedHttpAgent extends http.Agent {
  constructor(private readonly connector: Connector) {
    super({ keepAlive: true, timeout: SOCKET_IDLE_MS });
  }

  override createConnection(options: http.ClientRequestArgs, callback?: Callback) {
    return guardedConnection(this.connector, false, options, callback, (o) =>
      super.createConnection(o, callback),
    );
  }
}

export class GuardedHttpsAgent extends https.Agent {
  constructor(private readonly connector: Connector) {
    super({ keepAlive: true, timeout: SOCKET_IDLE_MS });
  }

  override createConnection(options: https.RequestOptions, callback?: Callback) {
    return guardedConnection(this.connector, true, options, callback, (o) =>
      super.createConnection(o, callback),
    );
  }
}

function guardedConnection(
  connector: Connector,
  secure: boolean,
  options: http.ClientRequestArgs,
  callback: Callback | undefined,
  create: Create,
): Duplex | null | undefined {
  const host = normalizeHost(options.host ?? options.hostname ?? "localhost");
  const destination: Destination = {
    secure,
    host,
    port: Number(options.port) || (secure ? 443 : 80),
  };
  const url = connectionUrl(destination, options);
  if (!classifyAddress(host))
    return create({ ...options, lookup: guardedLookup(connector, destination, url) });
  const refusal = connector.policy.checkAddress(destination, host);
  if (!refusal) return create(options);
  // the agent's asynchronous form: the request emits the error, no socket is ever made
  callback?.(new EgressRefusedError(url, refusal), undefined as never);
  return undefined;
}

/** The lookup a socket uses: the resolver's answers, all checked, handed to the connect. */
function guardedLookup(
  connector: Connector,
  destination: Destination,
  url: string,
): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    connector.resolve(hostname).then(
      (answers) => {
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = answers.filter((a) => family === undefined || a.family === family);
        if (usable.length === 0) {
          const error: NodeJS.ErrnoException = new Error(`${hostname}: no address`);
          error.code = "ENOTFOUND";
          return callback(error, "");
        }
        // one refused answer refuses the name: a mixed answer is how rebinding attacks look
        for (const answer of usable) {
          const refusal = connector.policy.checkAddress(destination, answer.address);
          if (refusal) return callback(new EgressRefusedError(url, refusal), "");
        }
        if (options.all) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (e: NodeJS.ErrnoException) => callback(e, ""),
    );
  };
}

/** The URL a socket is being opened for, as far as the agent's options tell (never the query). */
function connectionUrl(destination: Destination, options: http.ClientRequestArgs): string {
  const host = destination.host.includes(":") ? `[${destination.host}]` : destination.host;
  const path = (options as { pathname?: string }).pathname ?? options.path?.split("?")[0] ?? "/";
  return `${destination.secure ? "https" : "http"}://${host}:${destination.port}${path}`;
}
