// The development principal: a fixed identity for local use, only with --dev and only for requests
// from a loopback address that carry no credentials (authenticator.ts; a bad token is refused).
import type { Principal } from "../mcp/contracts.ts";

export const DEV_SUBJECT = "dev";

export function devPrincipal(groups: string[]): Principal {
  return { sub: DEV_SUBJECT, groups: [...groups], auth: "dev" };
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const bare = address.startsWith("::ffff:") ? address.slice("::ffff:".length) : address;
  return bare === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

export interface PrincipalSource {
  dev: boolean;
  devGroups: string[];
}

/** The caller's principal, or undefined when no identity can be established (answer 401). */
export function requestPrincipal(
  source: PrincipalSource,
  remoteAddress: string | undefined,
): Principal | undefined {
  if (source.dev && isLoopbackAddress(remoteAddress)) return devPrincipal(source.devGroups);
  return undefined;
}

/** Said at startup and on every session the development principal opens. */
export const DEV_PRINCIPAL_LABEL =
  "DEVELOPMENT PRINCIPAL (--dev): loopback requests act as sub=dev without authentication; never use in production";
