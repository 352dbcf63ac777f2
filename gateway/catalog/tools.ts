// What the catalog says about one tool: the metadata the policy input's `tool` part is built from,
// and how a virtual server's tool names map to upstream tools.
import type { Catalog, CatalogServer } from "./load.ts";
import type { Risk } from "./schema.ts";

export interface ToolFacts {
  risk: Risk;
  tags: string[];
  owner: string | null;
  /** the catalog's description override, if any */
  description?: string;
  /** false when the tool is not listed and `tool_defaults` applied */
  listed: boolean;
}

export function toolFacts(server: CatalogServer, tool: string): ToolFacts {
  const listed = Object.hasOwn(server.tools, tool) ? server.tools[tool] : undefined;
  if (!listed) return { ...server.tool_defaults, owner: server.owner ?? null, listed: false };
  const facts: ToolFacts = {
    risk: listed.risk,
    tags: listed.tags,
    owner: listed.owner ?? server.owner ?? null,
    listed: true,
  };
  if (listed.description !== undefined) facts.description = listed.description;
  return facts;
}

export interface VirtualToolTarget {
  server: string;
  tool: string;
  description?: string;
}

/** The upstream tool behind `name` on a virtual server, or undefined when it offers no such tool. */
export function virtualToolTarget(
  catalog: Catalog,
  virtualServer: string,
  name: string,
): VirtualToolTarget | undefined {
  const entry = catalog.virtualServers
    .get(virtualServer)
    ?.tools.find((t) => (t.rename ?? t.tool) === name);
  if (!entry) return undefined;
  const target: VirtualToolTarget = { server: entry.server, tool: entry.tool };
  if (entry.description !== undefined) target.description = entry.description;
  return target;
}
