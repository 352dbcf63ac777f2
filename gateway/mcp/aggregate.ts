// Aggregation across the upstreams of a session's view: lists with namespaced names, and the way
// back from an exposed name or URI to the server (and upstream name) that owns it.
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import {
  toolFacts,
  virtualEntries,
  virtualResourceServers,
  virtualTarget,
  type CuratedKind,
} from "../catalog/index.ts";
import type { ListKind, SessionServerContext } from "./contracts.ts";
import { forwardingError, rpcError } from "./errors.ts";
import { namespaced, splitNamespaced } from "./names.ts";
import { upstreamFor } from "./session-upstreams.ts";
import { matchesTemplate } from "./uri-template.ts";
import { viewServers } from "./session-state.ts";

type Item = Record<string, unknown>;

export interface ListedItem {
  server: string;
  /** the upstream's own key: tool or prompt name, resource URI, template */
  upstreamName: string;
  /** the item as the client sees it */
  item: Item;
}

export interface Gathered {
  items: ListedItem[];
  /** servers left out because they are not ready or failed to list */
  skipped: { server: string; why: string }[];
}

const ITEM_KEY: Record<ListKind, string> = {
  tools: "name",
  prompts: "name",
  resources: "uri",
  resourceTemplates: "uriTemplate",
};

const CAPABILITY: Record<ListKind, "tools" | "prompts" | "resources"> = {
  tools: "tools",
  prompts: "prompts",
  resources: "resources",
  resourceTemplates: "resources",
};

export function keyOf(kind: ListKind, item: Item): string | undefined {
  const key = item[ITEM_KEY[kind]];
  return typeof key === "string" ? key : undefined;
}

/** The items of the session's connection to `server`, or why there are none to be had. A
 * connection still making its first handshake is waited for; one that is down is passed over. */
async function listOf(
  context: SessionServerContext,
  server: string,
  kind: ListKind,
): Promise<readonly Item[] | string> {
  try {
    const connection = upstreamFor(context, server);
    if (!connection) return "not in the upstream pool";
    const state = connection.state();
    if (state !== "ready" && state !== "connecting") return state;
    const capabilities = connection.capabilities() ?? context.pool.server(server)?.capabilities();
    if (capabilities && !capabilities[CAPABILITY[kind]]) return [];
    return await connection.list(kind);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The servers whose items of `kind` the view shows: all, or those its virtual server curates. */
export function servingServers(context: SessionServerContext, kind: ListKind): string[] {
  if (context.view.kind === "all") return viewServers(context);
  const { catalog } = context.current();
  if (kind === "resources" || kind === "resourceTemplates")
    return virtualResourceServers(catalog, context.view.name);
  return [...new Set(virtualEntries(catalog, context.view.name, kind).map((e) => e.server))];
}

function listEach(
  context: SessionServerContext,
  servers: string[],
  kind: ListKind,
): Promise<(readonly Item[] | string)[]> {
  return Promise.all(servers.map((s) => listOf(context, s, kind)));
}

export async function gather(context: SessionServerContext, kind: ListKind): Promise<Gathered> {
  const gathered: Gathered = { items: [], skipped: [] };
  if (context.view.kind === "virtual" && (kind === "tools" || kind === "prompts")) {
    await gatherCurated(context, context.view.name, kind, gathered);
    return gathered;
  }
  const { catalog } = context.current();
  const servers = servingServers(context, kind);
  const lists = await listEach(context, servers, kind);
  servers.forEach((server, i) => {
    const list = lists[i]!;
    if (typeof list === "string") {
      gathered.skipped.push({ server, why: list });
      return;
    }
    const catalogServer = catalog.servers.get(server)!;
    for (const item of list) {
      const key = keyOf(kind, item);
      if (key === undefined) continue;
      let exposed = item;
      if (kind === "tools") {
        const description = toolFacts(catalogServer, key).description ?? item.description;
        exposed = { ...item, name: namespaced(server, key, context.separator), description };
      } else if (kind === "prompts") {
        exposed = { ...item, name: namespaced(server, key, context.separator) };
      }
      gathered.items.push({ server, upstreamName: key, item: exposed });
    }
  });
  return gathered;
}

/** A virtual server's tools or prompts, in its file's order, under the names it gives them. */
async function gatherCurated(
  context: SessionServerContext,
  name: string,
  kind: CuratedKind,
  gathered: Gathered,
): Promise<void> {
  const { catalog } = context.current();
  const entries = virtualEntries(catalog, name, kind);
  const servers = servingServers(context, kind);
  const lists = await listEach(context, servers, kind);
  const listed = new Map(servers.map((server, i) => [server, lists[i]!]));
  for (const [server, list] of listed)
    if (typeof list === "string") gathered.skipped.push({ server, why: list });
  for (const entry of entries) {
    const list = listed.get(entry.server);
    const item = typeof list === "string" ? undefined : list?.find((t) => t.name === entry.name);
    if (!item) continue;
    const catalogDescription =
      kind === "tools"
        ? toolFacts(catalog.servers.get(entry.server)!, entry.name).description
        : undefined;
    const description = entry.description ?? catalogDescription ?? item.description;
    gathered.items.push({
      server: entry.server,
      upstreamName: entry.name,
      item: { ...item, name: entry.exposed, ...(description !== undefined && { description }) },
    });
  }
}

export interface ResolvedName {
  server: string;
  /** the name on the upstream */
  name: string;
  /** the upstream's listing of it */
  listing: Item;
}

/** Lists one server's items for a lookup; a server that cannot answer is an error naming it. */
async function lookupList(
  context: SessionServerContext,
  server: string,
  kind: ListKind,
): Promise<readonly Item[]> {
  // unlike a list, a lookup waits for a (re)connecting upstream as long as the pool lets it
  try {
    const connection = upstreamFor(context, server);
    if (!connection) throw rpcError(ErrorCode.InternalError, `server ${server} is unavailable`);
    return await connection.list(kind);
  } catch (e) {
    throw forwardingError(server, e);
  }
}

/** The server and upstream name behind an exposed tool or prompt name; undefined when unknown. */
export async function resolveName(
  context: SessionServerContext,
  kind: "tools" | "prompts",
  exposed: string,
): Promise<ResolvedName | undefined> {
  let target: { server: string; name: string } | undefined;
  if (context.view.kind === "virtual") {
    const virtual = virtualTarget(context.current().catalog, context.view.name, kind, exposed);
    target = virtual && { server: virtual.server, name: virtual.name };
  } else {
    target = splitNamespaced(exposed, context.separator);
    if (target && !viewServers(context).includes(target.server)) target = undefined;
  }
  if (!target) return undefined;
  const listing = (await lookupList(context, target.server, kind)).find(
    (item) => item.name === target.name,
  );
  return listing && { ...target, listing };
}

/** The server that owns a resource URI: an exact resource first, then a template (or the template
 * string itself, as completion/complete refers to templates). Servers that cannot answer are passed over. */
export async function resourceOwner(
  context: SessionServerContext,
  uri: string,
): Promise<string | undefined> {
  const servers = servingServers(context, "resources");
  const resources = await listEach(context, servers, "resources");
  const exact = servers.findIndex((_, i) => {
    const list = resources[i]!;
    return typeof list !== "string" && list.some((r) => r.uri === uri);
  });
  if (exact >= 0) return servers[exact];
  const templates = await listEach(context, servers, "resourceTemplates");
  const templated = servers.findIndex((_, i) => {
    const list = templates[i]!;
    return (
      typeof list !== "string" &&
      list.some(
        (t) =>
          typeof t.uriTemplate === "string" &&
          (t.uriTemplate === uri || matchesTemplate(t.uriTemplate, uri)),
      )
    );
  });
  return templated >= 0 ? servers[templated] : undefined;
}
