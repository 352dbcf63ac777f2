// A stand-in UpstreamPool for tests: real SDK Clients connected over InMemoryTransport to real
// SDK servers running in-process. It follows the pool contract (contracts.ts) closely enough to
// exercise the session server: caching lists, CallerRef attribution, UpstreamError mapping, and the
// sessions on a connection. Every server is one connection for every caller (isolation shared).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  McpError,
  ResultSchema,
  type JSONRPCNotification,
} from "@modelcontextprotocol/sdk/types.js";
import {
  UpstreamError,
  type CallerRef,
  type ConnectionScope,
  type ListKind,
  type UpstreamClientHandlers,
  type UpstreamConnection,
  type UpstreamPool,
  type UpstreamRequestOptions,
  type UpstreamState,
  type UpstreamStatus,
} from "../../../gateway/mcp/contracts.ts";

const LIST_METHOD: Record<ListKind, [string, string]> = {
  tools: ["tools/list", "tools"],
  prompts: ["prompts/list", "prompts"],
  resources: ["resources/list", "resources"],
  resourceTemplates: ["resources/templates/list", "resourceTemplates"],
};

const LIST_CHANGED: Record<string, ListKind[]> = {
  "notifications/tools/list_changed": ["tools"],
  "notifications/prompts/list_changed": ["prompts"],
  "notifications/resources/list_changed": ["resources", "resourceTemplates"],
};

export class MemoryConnection implements UpstreamConnection {
  private current: UpstreamState = "connecting";
  private readonly client = new Client(
    { name: "gatehouse-test-pool", version: "0" },
    { capabilities: { sampling: {}, elicitation: {}, roots: {} } },
  );
  private readonly cache = new Map<ListKind, Record<string, unknown>[]>();
  private readonly callers: CallerRef[] = [];
  private readonly attached = new Set<string>();
  readonly isolation = "shared" as const;
  /** every request forwarded, for assertions */
  readonly seen: { method: string; params?: Record<string, unknown> }[] = [];

  constructor(
    readonly name: string,
    private readonly upstream: McpServer | undefined,
    private readonly handlers: () => UpstreamClientHandlers | undefined,
  ) {}

  get key(): string {
    return this.name;
  }

  sessions(): ReadonlySet<string> {
    return this.attached;
  }

  attach(scope: ConnectionScope): this {
    this.attached.add(scope.sessionId);
    return this;
  }

  detach(scope: ConnectionScope): void {
    this.attached.delete(scope.sessionId);
  }

  async start(): Promise<void> {
    if (!this.upstream) {
      this.current = "failed";
      return;
    }
    const caller = () => this.callers.at(-1);
    this.client.fallbackRequestHandler = async (request, extra) => {
      const handlers = this.handlers();
      if (!handlers) throw new McpError(-32601, "no handlers");
      return handlers.onRequest(
        this.name,
        { method: request.method, params: request.params as Record<string, unknown> },
        caller(),
        extra.signal,
      ) as never;
    };
    this.client.fallbackNotificationHandler = async (n) => {
      for (const kind of LIST_CHANGED[n.method] ?? []) this.cache.delete(kind);
      this.handlers()?.onNotification(
        this.name,
        { jsonrpc: "2.0", ...n } as JSONRPCNotification,
        LIST_CHANGED[n.method] ? undefined : caller(),
        this.attached,
      );
    };
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await this.upstream.connect(serverSide);
    await this.client.connect(clientSide);
    this.current = "ready";
  }

  state(): UpstreamState {
    return this.current;
  }
  capabilities() {
    return this.current === "ready" ? this.client.getServerCapabilities() : undefined;
  }
  serverInfo() {
    return this.client.getServerVersion();
  }
  instructions() {
    return this.client.getInstructions();
  }

  async list(kind: ListKind): Promise<Record<string, unknown>[]> {
    const cached = this.cache.get(kind);
    if (cached) return cached;
    this.ensureReady();
    const [method, key] = LIST_METHOD[kind];
    const items: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.request(
        { method, params: cursor ? { cursor } : {} } as never,
        ResultSchema,
      );
      items.push(...((page[key] as Record<string, unknown>[]) ?? []));
      cursor = page.nextCursor as string | undefined;
    } while (cursor);
    this.cache.set(kind, items);
    return items;
  }

  async request(
    request: { method: string; params?: Record<string, unknown> },
    options: UpstreamRequestOptions,
  ): Promise<Record<string, unknown>> {
    this.ensureReady();
    this.seen.push(request);
    this.callers.push(options.caller);
    try {
      return await this.client.request(request as never, ResultSchema, {
        signal: options.signal,
        ...(options.onProgress && { onprogress: options.onProgress }),
      });
    } catch (e) {
      if (e instanceof McpError)
        throw new UpstreamError(
          this.name,
          e.code,
          e.message.replace(/^MCP error -?\d+: /, ""),
          e.data,
        );
      throw new UpstreamError(this.name, -32603, `server ${this.name}: ${(e as Error).message}`);
    } finally {
      this.callers.splice(this.callers.indexOf(options.caller), 1);
    }
  }

  async notify(notification: { method: string; params?: Record<string, unknown> }): Promise<void> {
    await this.client.notification(notification as never);
  }

  private ensureReady(): void {
    if (this.current !== "ready")
      throw new UpstreamError(
        this.name,
        -32603,
        `server ${this.name} is not connected (${this.current})`,
      );
  }

  async close(): Promise<void> {
    this.current = "closed";
    await this.client.close();
  }
}

/** Upstreams by name; `undefined` stands for a server that never comes up. */
export async function memoryPool(upstreams: Record<string, McpServer | undefined>): Promise<
  UpstreamPool & {
    /** without a scope: the server's one connection, for assertions */
    connection(name: string, scope?: ConnectionScope): MemoryConnection;
  }
> {
  let handlers: UpstreamClientHandlers | undefined;
  const connections = new Map<string, MemoryConnection>();
  for (const [name, server] of Object.entries(upstreams)) {
    const connection = new MemoryConnection(name, server, () => handlers);
    await connection.start();
    connections.set(name, connection);
  }
  return {
    connection: (name: string, scope?: ConnectionScope) => {
      const connection = connections.get(name);
      return connection && scope ? connection.attach(scope) : connection!;
    },
    server: (name) => connections.get(name),
    names: () => [...connections.keys()],
    status: (): UpstreamStatus[] =>
      [...connections.values()].map((c) => ({
        name: c.name,
        transport: "stdio",
        isolation: "shared",
        state: c.state(),
        restarts: 0,
        since: new Date().toISOString(),
        connections: { open: 1, ready: c.state() === "ready" ? 1 : 0, max: 1 },
      })),
    setClientHandlers: (h) => {
      handlers = h;
    },
    endSession: (scope) => {
      for (const c of connections.values()) c.detach(scope);
    },
    close: async () => {
      await Promise.all([...connections.values()].map((c) => c.close()));
    },
  };
}
