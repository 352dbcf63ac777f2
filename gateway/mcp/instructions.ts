// The `instructions` of the gateway's initialize result. An upstream's instructions are text it
// wrote for whoever uses its tools; a client that may use none of that server's tools, prompts or
// resources gets none of its text. Visibility is the list decision itself (visible_tools, one
// evaluation per kind, not recorded: the initialize request has its own decision). Each server's
// text is labelled with its name and quoted line by line, so one upstream cannot pass its words off
// as the gateway's or another server's.
import { gather, type ListedItem } from "./aggregate.ts";
import type { ListKind } from "./contracts.ts";
import { visibleItems } from "./lists.ts";
import { viewServers, type SessionState } from "./session-state.ts";

const MAX_INSTRUCTIONS_PER_SERVER = 4000;
const KINDS: ListKind[] = ["tools", "prompts", "resources", "resourceTemplates"];

/** The servers of the session's view of which the request's principal may see something. */
async function visibleServers(
  state: SessionState,
  requestId: string | number,
  wanted: string[],
): Promise<Set<string>> {
  const { catalog } = state.context.current();
  const seen = new Set<string>();
  for (const kind of KINDS) {
    if (wanted.every((server) => seen.has(server))) break;
    const { items, skipped } = await gather(state.context, kind);
    // a server not connected yet is judged on the tools its catalog entry declares
    if (kind === "tools")
      for (const { server } of skipped)
        for (const name of Object.keys(catalog.servers.get(server)?.tools ?? {}))
          items.push({ server, upstreamName: name, item: {} } satisfies ListedItem);
    let shown: ListedItem[];
    try {
      shown = visibleItems(state, kind, items, requestId, { observe: false });
    } catch {
      continue; // a denied list shows nothing
    }
    for (const item of shown) seen.add(item.server);
  }
  return seen;
}

/** Quoted, so that nothing in it reads as the gateway's own text or another server's label. */
function quoted(text: string): string {
  const bounded =
    text.length > MAX_INSTRUCTIONS_PER_SERVER
      ? `${text.slice(0, MAX_INSTRUCTIONS_PER_SERVER)}…`
      : text;
  return bounded
    .split(/\r\n|\r|\n/)
    .map((line) => `> ${line}`)
    .join("\n");
}

/**
 * The gateway's instructions for the principal of `requestId`: the gateway's own line, then the
 * instructions of each upstream it may use, labelled by server. `instructionsOf` reads what a
 * server said in its handshake.
 */
export async function instructionsFor(
  state: SessionState,
  requestId: string | number,
  instructionsOf: (server: string) => string | undefined,
): Promise<string> {
  const { context } = state;
  const parts = [
    `Gatehouse MCP gateway. Tools and prompts are named <server>${context.separator}<name>; resources keep their URIs.`,
  ];
  const offering = viewServers(context).flatMap((server) => {
    const text = instructionsOf(server);
    return text ? [{ server, text }] : [];
  });
  if (offering.length === 0) return parts[0]!;
  const visible = await visibleServers(
    state,
    requestId,
    offering.map((o) => o.server),
  );
  for (const { server, text } of offering) {
    if (!visible.has(server)) continue;
    parts.push(
      `Instructions of upstream server ${JSON.stringify(server)} (its tools are named ${server}${context.separator}<name>), quoted as it wrote them:\n${quoted(text)}`,
    );
  }
  return parts.join("\n\n");
}
