// The four list methods: gather from every upstream of the view, ONE policy evaluation for the
// whole candidate list, keep what the decision's visible_tools names, paginate.
import type { Catalog } from "../catalog/index.ts";
import { toolFacts } from "../catalog/index.ts";
import type { ListCandidate } from "../policy/index.ts";
import { gather, type ListedItem } from "./aggregate.ts";
import type { ListKind } from "./contracts.ts";
import { denialError, decide, type DecideOptions } from "./enforce.ts";
import { policyKey } from "./names.ts";
import { paginate } from "./pagination.ts";
import { viewServers, type SessionState } from "./session-state.ts";

export const LIST_KINDS: Record<string, ListKind> = {
  "tools/list": "tools",
  "prompts/list": "prompts",
  "resources/list": "resources",
  "resources/templates/list": "resourceTemplates",
};

function candidate(kind: ListKind, listed: ListedItem, catalog: Catalog): ListCandidate {
  if (kind === "tools") {
    const facts = toolFacts(catalog.servers.get(listed.server)!, listed.upstreamName);
    return { server: listed.server, name: listed.upstreamName, risk: facts.risk, tags: facts.tags };
  }
  // prompts and resources are reads; their name is the prompt name or the URI (template)
  return { server: listed.server, name: listed.upstreamName, risk: "read", tags: [] };
}

/**
 * visible_tools holds `<server>__<name>` keys (the policy contract's form, whatever the gateway's
 * separator). For prompts and resources the candidates' names are prompt names and URIs, so a
 * policy filters them item by item the same way; a policy that decides per server instead may
 * name `<server>__*` or the bare `<server>`. Nothing named means hidden: lists fail closed.
 */
function visible(listed: ListedItem, kind: ListKind, names: Set<string>): boolean {
  if (names.has(policyKey(listed.server, listed.upstreamName))) return true;
  return kind !== "tools" && (names.has(listed.server) || names.has(policyKey(listed.server, "*")));
}

/** what each left-out server was last reported for, so a server that stays down is logged once */
const reported = new Map<string, string>();

function warnSkipped(
  method: string,
  servers: string[],
  skipped: { server: string; why: string }[],
): void {
  for (const server of servers)
    if (!skipped.some((s) => s.server === server)) reported.delete(server);
  const fresh = skipped.filter((s) => reported.get(s.server) !== s.why);
  for (const s of fresh) reported.set(s.server, s.why);
  if (reported.size > 10_000) reported.clear();
  if (fresh.length === 0) return;
  const which = fresh.map((s) => `${s.server} (${s.why})`).join(", ");
  console.warn(`gatehouse: ${method} left out servers that cannot list: ${which}`);
}

/**
 * The items the request's principal may see: ONE decision over every candidate (visible_tools).
 * Throws the denial when the list request itself is denied. Nothing is cached: the decision
 * depends on the principal of each request.
 */
export function visibleItems(
  state: SessionState,
  kind: ListKind,
  items: ListedItem[],
  requestId: string | number,
  options?: DecideOptions,
): ListedItem[] {
  const { catalog } = state.context.current();
  const method = Object.keys(LIST_KINDS).find((m) => LIST_KINDS[m] === kind)!;
  const decision = decide(
    state,
    { requestId, mcp: { method }, list: items.map((item) => candidate(kind, item, catalog)) },
    options,
  );
  if (!decision.allow) throw denialError(decision);
  const names = new Set(decision.visible_tools);
  return items.filter((item) => visible(item, kind, names));
}

export async function handleList(
  state: SessionState,
  method: string,
  params: Record<string, unknown> | undefined,
  requestId: string | number,
): Promise<Record<string, unknown>> {
  const kind = LIST_KINDS[method]!;
  const { context } = state;
  const { items, skipped } = await gather(context, kind);
  warnSkipped(method, viewServers(context), skipped);
  const shown = visibleItems(state, kind, items, requestId);
  const keys = shown.map((item) => `${item.server}/${item.upstreamName}`);
  const { page, nextCursor } = paginate(shown, keys, params?.cursor);
  return { [kind]: page.map((item) => item.item), ...(nextCursor ? { nextCursor } : {}) };
}
