// What the catalog says about one tool: the metadata the policy input's `tool` part is built from,
// and how a virtual server's tool and prompt names map to the upstream's.
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

/** A tool or prompt a virtual server curates: where it comes from and the name agents see. */
export interface VirtualEntry {
  server: string;
  /** the upstream's own name */
  name: string;
  /** the name on the virtual server */
  exposed: string;
  /** the virtual server's description override, if any */
  description?: string;
}

export type CuratedKind = "tools" | "prompts";

/** The tools or prompts a virtual server curates, in the file's order; empty for an unknown one. */
export function virtualEntries(
  catalog: Catalog,
  virtualServer: string,
  kind: CuratedKind,
): VirtualEntry[] {
  const virtual = catalog.virtualServers.get(virtualServer);
  if (!virtual) return [];
  const entries =
    kind === "tools"
      ? virtual.tools.map((t) => ({ ...t, name: t.tool }))
      : virtual.prompts.map((p) => ({ ...p, name: p.prompt }));
  return entries.map((e) => {
    const entry: VirtualEntry = { server: e.server, name: e.name, exposed: e.rename ?? e.name };
    if (e.description !== undefined) entry.description = e.description;
    return entry;
  });
}

/** The upstream tool or prompt behind `exposed` on a virtual server, or undefined. */
export function virtualTarget(
  catalog: Catalog,
  virtualServer: string,
  kind: CuratedKind,
  exposed: string,
): VirtualEntry | undefined {
  return virtualEntries(catalog, virtualServer, kind).find((e) => e.exposed === exposed);
}

/** The servers whose resources and templates a virtual server exposes. */
export function virtualResourceServers(catalog: Catalog, virtualServer: string): string[] {
  return catalog.virtualServers.get(virtualServer)?.resources.map((r) => r.server) ?? [];
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
  const entry = virtualTarget(catalog, virtualServer, "tools", name);
  if (!entry) return undefined;
  const target: VirtualToolTarget = { server: entry.server, tool: entry.name };
  if (entry.description !== undefined) target.description = entry.description;
  return target;
}
