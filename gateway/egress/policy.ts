// The egress rules: what the gateway may connect to when someone else names the destination (an
// issuer's metadata, a JWKS, a token endpoint, an HTTP upstream). https only, public addresses only,
// except loopback on a --dev gateway and whatever the operator allow-lists (docs/gateway.md).
import {
  classifyAddress,
  describeRange,
  METADATA_HOSTNAMES,
  type AddressClass,
} from "./classify.ts";
import {
  matchHost,
  matchRange,
  namesExactly,
  parseAllowEntry,
  type AllowEntry,
} from "./allow-list.ts";
import type { Refusal } from "./refusal.ts";

/** No --dev, nothing allow-listed: https to public addresses only. */
export const STRICT_EGRESS: EgressSettings = { dev: false, allow: [], allowHttp: [] };

export interface EgressSettings {
  /** a --dev gateway may reach loopback addresses, over http too */
  dev: boolean;
  /** destinations exempt from the address rules (ranges, addresses, host names) */
  allow: string[];
  /** destinations that may also be reached over plain http (each is allowed as above too) */
  allowHttp: string[];
}

/** One connection about to be made: to which host name (or literal), which port, TLS or not. */
export interface Destination {
  secure: boolean;
  /** lower case, without IPv6 brackets or a trailing dot */
  host: string;
  port: number;
}

export class EgressPolicy {
  private readonly allow: AllowEntry[];
  private readonly allowHttp: AllowEntry[];

  constructor(readonly settings: EgressSettings) {
    this.allowHttp = settings.allowHttp.map(entryOrThrow);
    this.allow = [...settings.allow.map(entryOrThrow), ...this.allowHttp];
  }

  /**
   * Before connecting: the scheme, metadata names, and the address when the URL holds one. A host
   * name passes here when it may; its addresses are checked as the connection is made.
   */
  checkUrl(url: URL): Refusal | undefined {
    if (url.protocol !== "http:" && url.protocol !== "https:")
      return { rule: `${url.protocol} is not http or https`, remedy: "use an https:// URL" };
    const destination = destinationOf(url);
    const { host, port, secure } = destination;
    if (classifyAddress(host)) return this.checkAddress(destination, host);
    if (METADATA_HOSTNAMES.includes(host) && !matchHost(this.allow, host, port))
      return {
        rule: `${host} names a cloud metadata endpoint`,
        remedy: "metadata endpoints hand out the machine's cloud credentials; use another URL",
      };
    // RFC 6761: localhost names are loopback whatever DNS says
    if (host === "localhost" || host.endsWith(".localhost"))
      return this.checkAddress(destination, "127.0.0.1");
    if (!secure && !matchHost(this.allowHttp, host, port) && !this.allowHttp.some(isRange))
      return {
        rule: "plain http to a host that is not allow-listed",
        remedy: `use https://, or add "${host}" to egress.allowHttp in the gateway config${this.settings.dev ? "" : " (or, for loopback, run with --dev)"}`,
      };
    return undefined;
  }

  /** As the connection is made: `address` is the literal, or one that `destination.host` resolved to. */
  checkAddress(destination: Destination, address: string): Refusal | undefined {
    const facts = classifyAddress(address);
    if (!facts)
      return {
        rule: "not an IP address",
        remedy: "report this: the resolver answered junk",
        address,
      };
    const { host, port, secure } = destination;
    const shown = facts.embedded
      ? `${facts.address}, which reaches ${facts.embedded}`
      : facts.address;
    if (facts.range === "metadata") {
      if (!this.allow.some((e) => namesExactly(e, facts) && portMatches(e, port)))
        return {
          rule: describeRange("metadata"),
          remedy:
            "metadata endpoints hand out the machine's cloud credentials; an allow-list entry opens one only when it names that exact address",
          address: shown,
        };
    } else if (
      !facts.public &&
      !(this.settings.dev && facts.range === "loopback") &&
      !matchHost(this.allow, host, port) &&
      !matchRange(this.allow, facts, port)
    ) {
      return { rule: describeRange(facts.range), remedy: allowRemedy(facts, host), address: shown };
    }
    if (
      !secure &&
      !(this.settings.dev && facts.range === "loopback") &&
      !matchHost(this.allowHttp, host, port) &&
      !matchRange(this.allowHttp, facts, port)
    )
      return {
        rule: "plain http to an address that is not allow-listed",
        remedy: `use https://, or add "${host}" to egress.allowHttp in the gateway config${facts.range === "loopback" && !this.settings.dev ? " (or run with --dev)" : ""}`,
        address: shown,
      };
    return undefined;
  }
}

/** The destination a URL names (default ports filled in). */
export function destinationOf(url: URL): Destination {
  const secure = url.protocol === "https:";
  return {
    secure,
    host: normalizeHost(url.hostname),
    port: url.port === "" ? (secure ? 443 : 80) : Number(url.port),
  };
}

export function normalizeHost(hostname: string): string {
  const lower = hostname.toLowerCase();
  const bare = lower.startsWith("[") && lower.endsWith("]") ? lower.slice(1, -1) : lower;
  return bare.endsWith(".") ? bare.slice(0, -1) : bare;
}

function allowRemedy(facts: AddressClass, host: string): string {
  const single = `${String(facts.reached)}/${facts.reached.kind() === "ipv4" ? 32 : 128}`;
  const name = classifyAddress(host) ? "" : ` or the host "${host}"`;
  const dev = facts.range === "loopback" ? "run the gateway with --dev (loopback only), or " : "";
  return `${dev}if this destination is meant to be reached, add "${single}"${name} to egress.allow in the gateway config`;
}

function portMatches(entry: AllowEntry, port: number): boolean {
  return entry.port === undefined || entry.port === port;
}

function isRange(entry: AllowEntry): boolean {
  return entry.kind === "range";
}

function entryOrThrow(text: string): AllowEntry {
  const entry = parseAllowEntry(text);
  if (typeof entry === "string") throw new TypeError(`egress: ${entry}`);
  return entry;
}
