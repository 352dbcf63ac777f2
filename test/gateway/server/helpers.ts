// Stand-ins and a raw HTTP client for the gateway's HTTP-layer tests.
import { request as httpRequest } from "node:http";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  LATEST_PROTOCOL_VERSION,
  ListToolsRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { Context } from "koa";
import { loadCatalog } from "../../../gateway/catalog/index.ts";
import { loadConfig, type ConfigLayer } from "../../../gateway/config.ts";
import { Gateway, type GatewayDeps } from "../../../gateway/gateway.ts";
import { silentLogger } from "../../../gateway/log.ts";
import type {
  CreateSessionServer,
  Principal,
  UpstreamPool,
} from "../../../gateway/mcp/contracts.ts";
import type { PolicyEngine } from "../../../gateway/policy/index.ts";

export const emptyPool = (): UpstreamPool => ({
  connection: () => undefined,
  server: () => undefined,
  names: () => [],
  status: () => [],
  setClientHandlers() {},
  endSession() {},
  close: async () => {},
});

/** A hook the stand-in's `wait` tool blocks on, so a test controls when a call finishes. */
export interface Gate {
  started: Promise<void>;
  release(): void;
}

export function newGate(): Gate & { markStarted(): void; released: Promise<void> } {
  let markStarted!: () => void;
  let release!: () => void;
  const started = new Promise<void>((r) => (markStarted = r));
  const released = new Promise<void>((r) => (release = r));
  return { started, markStarted, release, released };
}

/** A session server with one `echo` tool and a `wait` tool that blocks on the gate. */
export function standInSessionServer(gate?: ReturnType<typeof newGate>): CreateSessionServer {
  return (context) => {
    const server = new Server(
      { name: "stand-in", version: "0.0.0" },
      { capabilities: { tools: {}, logging: {} } },
    );
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: [
        {
          name: "echo",
          description: `for ${context.principal.sub}`,
          inputSchema: { type: "object" },
        },
        { name: "wait", inputSchema: { type: "object" } },
      ],
    }));
    server.setRequestHandler(CallToolRequestSchema, async (request) => {
      if (request.params.name === "wait" && gate) {
        gate.markStarted();
        await gate.released;
      }
      return { content: [{ type: "text", text: `called ${request.params.name}` }] };
    });
    return server;
  };
}

/** Principal from an `x-test-principal` header, so tests can act as two different users. */
export function headerPrincipal(ctx: Context): Principal | undefined {
  const sub = ctx.get("x-test-principal");
  return sub === "" ? undefined : { sub, groups: ["eng"], auth: "dev" };
}

export async function startStandInGateway(
  flags: ConfigLayer = {},
  deps: GatewayDeps = {},
): Promise<Gateway> {
  const config = loadConfig({ flags: { port: 0, dev: true, ...flags } });
  return Gateway.start(config, {
    log: silentLogger,
    catalog: loadCatalog("catalog"),
    policy: { revision: "stand-in-revision" } as unknown as PolicyEngine,
    createUpstreamPool: emptyPool,
    createSessionServer: standInSessionServer(),
    ...deps,
  });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** the JSON body, or the last `data:` of an SSE body */
  json: any;
}

export function rawRequest(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    timeoutMs?: number;
  },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? "POST", headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: parseBody(text),
          });
        });
        res.on("error", reject);
      },
    );
    req.setTimeout(options.timeoutMs ?? 5000, () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    req.end(options.body);
  });
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const data = text
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .at(-1);
    return data ? JSON.parse(data.slice("data: ".length)) : undefined;
  }
}

export const MCP_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

export const initializeBody = (id: number | string = 1) =>
  JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: {
      protocolVersion: LATEST_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: "raw-test", version: "0" },
    },
  });

/** Opens a session with a raw initialize (and the initialized notification); returns its id. */
export async function openSession(
  url: string,
  extraHeaders: Record<string, string> = {},
): Promise<string> {
  const init = await rawRequest(url, {
    headers: { ...MCP_HEADERS, ...extraHeaders },
    body: initializeBody(),
  });
  if (init.status !== 200) throw new Error(`initialize failed: ${init.status} ${init.text}`);
  const id = String(init.headers["mcp-session-id"]);
  await rawRequest(url, {
    headers: {
      ...MCP_HEADERS,
      ...extraHeaders,
      "mcp-session-id": id,
      "mcp-protocol-version": LATEST_PROTOCOL_VERSION,
    },
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
  return id;
}

/** `promise`, or a rejection naming `what` after `ms`: no test waits forever on the network. */
export function within<T>(what: string, promise: Promise<T>, ms = 20_000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`timed out: ${what}`)), ms).unref(),
    ),
  ]);
}
