// The four list families: their methods, result keys, and which capability declares each.
import type { ServerCapabilities } from "@modelcontextprotocol/sdk/types.js";
import type { ListKind } from "../contracts.ts";

/** A bound on pages per list, so an upstream returning cursors forever cannot loop us. */
export const MAX_LIST_PAGES = 1000;

export const listMethod: Record<ListKind, string> = {
  tools: "tools/list",
  resources: "resources/list",
  resourceTemplates: "resources/templates/list",
  prompts: "prompts/list",
};

export const listResultKey: Record<ListKind, string> = {
  tools: "tools",
  resources: "resources",
  resourceTemplates: "resourceTemplates",
  prompts: "prompts",
};

/** Which cached lists a list_changed notification makes stale. */
export const listChangedKinds: Record<string, ListKind[] | undefined> = {
  "notifications/tools/list_changed": ["tools"],
  "notifications/resources/list_changed": ["resources", "resourceTemplates"],
  "notifications/prompts/list_changed": ["prompts"],
};

export function declaresKind(
  capabilities: ServerCapabilities | undefined,
  kind: ListKind,
): boolean {
  if (!capabilities) return false;
  if (kind === "tools") return capabilities.tools !== undefined;
  if (kind === "prompts") return capabilities.prompts !== undefined;
  return capabilities.resources !== undefined;
}
