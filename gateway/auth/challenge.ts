// RFC 9728 / RFC 6750 pieces: the resource URI of an endpoint, where its metadata lives, and the
// WWW-Authenticate challenges of 401 and 403 answers.
import type { SessionView } from "../mcp/contracts.ts";

/** A request the gateway will not serve for lack of (sufficient) credentials. */
export interface PrincipalRefusal {
  refused: true;
  status: 401 | 403;
  wwwAuthenticate: string;
  /** the JSON-RPC error message the client sees */
  message: string;
}

/** `<resource>` for /mcp, `<resource>/<name>` for the virtual server /mcp/<name>. */
export function resourceFor(resource: string, view: SessionView): string {
  const base = resource.replace(/\/$/, "");
  return view.kind === "all" ? base : `${base}/${encodeURIComponent(view.name)}`;
}

/** RFC 9728 §3.1: the well-known segment goes between the host and the resource's path. */
export function metadataUrlFor(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "");
  return `${url.origin}/.well-known/oauth-protected-resource${path}`;
}

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, "\\$&")}"`;
}

export interface ChallengeParts {
  resourceMetadata: string;
  error?: "invalid_token" | "invalid_request" | "insufficient_scope";
  description?: string;
  scope?: string[];
}

export function bearerChallenge(parts: ChallengeParts): string {
  const params = [`resource_metadata=${quoted(parts.resourceMetadata)}`];
  if (parts.error) params.push(`error=${quoted(parts.error)}`);
  if (parts.description) params.push(`error_description=${quoted(parts.description)}`);
  if (parts.scope && parts.scope.length > 0) params.push(`scope=${quoted(parts.scope.join(" "))}`);
  return `Bearer ${params.join(", ")}`;
}
