// Entries of `egress.allow` / `egress.allowHttp`: an address range ("10.0.0.0/8", "fd00::/8"), one
// address with an optional port ("127.0.0.1", "127.0.0.1:9000", "[::1]:9000"), or a host name
// with an optional port ("idp.corp.example", "mcp.internal:8443").
import { ipaddr, type IPv4, type IPv6 } from "./ipaddr.ts";
import { inRange, sameAddress, type AddressClass } from "./classify.ts";

export type AllowEntry =
  | { kind: "range"; text: string; range: [IPv4 | IPv6, number]; port?: number }
  | { kind: "host"; text: string; host: string; port?: number };

/** Parses one entry; a string saying what is wrong when it is not one. */
export function parseAllowEntry(text: string): AllowEntry | string {
  const entry = text.trim().toLowerCase();
  if (entry.includes("/")) {
    if (!ipaddr.isValidCIDR(entry) || !plainAddress(entry.slice(0, entry.indexOf("/"))))
      return `${JSON.stringify(text)} is not an address range such as 10.0.0.0/8 or fd00::/8`;
    const [address, bits] = ipaddr.parseCIDR(entry);
    return { kind: "range", text, range: [address, bits] };
  }
  const { host, port } = splitPort(entry);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port <= 65535))
    return `${JSON.stringify(text)}: the port must be 1-65535`;
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (plainAddress(bare)) {
    const address = ipaddr.parse(bare);
    const range: [IPv4 | IPv6, number] = [address, address.kind() === "ipv4" ? 32 : 128];
    return { kind: "range", text, range, ...(port !== undefined ? { port } : {}) };
  }
  if (!isHostName(host))
    return `${JSON.stringify(text)} is not an address range, an address or a host name (with an optional :port)`;
  return {
    kind: "host",
    text,
    host: host.replace(/\.$/, ""),
    ...(port !== undefined ? { port } : {}),
  };
}

/** The first entry naming this host name (and port); names are compared exactly, case aside. */
export function matchHost(
  entries: readonly AllowEntry[],
  host: string,
  port: number,
): AllowEntry | undefined {
  return entries.find(
    (e) => e.kind === "host" && e.host === host && (e.port === undefined || e.port === port),
  );
}

/** The first range entry holding this address (as written, or the IPv4 address it embeds). */
export function matchRange(
  entries: readonly AllowEntry[],
  address: AddressClass,
  port: number,
): AllowEntry | undefined {
  return entries.find(
    (e) =>
      e.kind === "range" &&
      (e.port === undefined || e.port === port) &&
      (inRange(address.parsed, e.range) || inRange(address.reached, e.range)),
  );
}

/** Whether an entry names exactly this one address (what a metadata endpoint needs). */
export function namesExactly(entry: AllowEntry, address: AddressClass): boolean {
  if (entry.kind !== "range") return false;
  const [base, bits] = entry.range;
  const single = bits === (base.kind() === "ipv4" ? 32 : 128);
  return single && (sameAddress(base, address.reached) || sameAddress(base, address.parsed));
}

/** A dotted-quad IPv4 address (no 0x7f.1 or 2130706433 forms) or an IPv6 address. */
function plainAddress(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text);
}

function splitPort(entry: string): { host: string; port?: number } {
  const bracketed = /^(\[[^\]]+\])(?::(\d+))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1]!, ...portOf(bracketed[2]) };
  // a bare IPv6 address has several colons and no port
  if (entry.split(":").length > 2) return { host: entry };
  const [host, port] = entry.split(":");
  return { host: host!, ...portOf(port) };
}

function portOf(text: string | undefined): { port?: number } {
  return text === undefined ? {} : { port: /^\d{1,5}$/.test(text) ? Number(text) : NaN };
}

function isHostName(host: string): boolean {
  return /^(?=.{1,253}\.?$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/.test(
    host,
  );
}
