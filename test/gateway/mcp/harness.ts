// Connects a real SDK Client to a session server over InMemoryTransport.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { fileURLToPath } from "node:url";
import { loadCatalog, type Catalog } from "../../../gateway/catalog/index.ts";
import type { Principal, SessionView, UpstreamPool } from "../../../gateway/mcp/contracts.ts";
import { createSessionServer } from "../../../gateway/mcp/session-server.ts";
import type { PolicyEngine } from "../../../gateway/policy/index.ts";

export const CATALOG_DIR = fileURLToPath(new URL("./fixtures/catalog", import.meta.url));
export const POLICY_DIR = fileURLToPath(new URL("../../../policies", import.meta.url));

export const alice: Principal = { sub: "alice", groups: ["eng"], auth: "dev" };
export const mallory: Principal = { sub: "mallory", groups: ["contractors"], auth: "dev" };
export const pat: Principal = { sub: "pat", groups: ["platform"], auth: "dev" };

let sessions = 0;

export interface Connected {
  client: Client;
  sessionId: string;
  close(): Promise<void>;
}

export async function connect(options: {
  pool: UpstreamPool;
  policy: PolicyEngine;
  catalog?: Catalog;
  principal: Principal;
  view?: SessionView;
  separator?: string;
  capabilities?: ClientCapabilities;
  setup?: (client: Client) => void;
}): Promise<Connected> {
  const catalog = options.catalog ?? loadCatalog(CATALOG_DIR);
  const sessionId = `session-${++sessions}`;
  const server = createSessionServer({
    sessionId,
    principal: options.principal,
    view: options.view ?? { kind: "all" },
    current: () => ({ catalog, policy: options.policy }),
    pool: options.pool,
    separator: options.separator ?? "__",
    request: { ip: "127.0.0.1", userAgent: "vitest" },
  });
  const client = new Client(
    { name: "test-client", version: "1.0.0" },
    { capabilities: options.capabilities ?? {} },
  );
  options.setup?.(client);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  return {
    client,
    sessionId,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}
