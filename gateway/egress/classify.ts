// What an IP address is, for the egress guard: public, or which special range it falls in (loopback,
// private, link-local, cloud metadata, ...). Ranges come from ipaddr.js; the only ones named here
// are what it does not know: the cloud metadata addresses and IPv6 forms that carry an IPv4 address.
import { isIP } from "node:net";
import { ipaddr, type IPv4, type IPv6 } from "./ipaddr.ts";

type Address = IPv4 | IPv6;

/** Instance metadata services: AWS, GCP, Azure, OpenStack (169.254.169.254), AWS over IPv6, Alibaba. */
export const METADATA_ADDRESSES = ["169.254.169.254", "fd00:ec2::254", "100.100.100.200"];

/** Names of metadata services, refused before any lookup (GCP's, and AWS's instance-data). */
export const METADATA_HOSTNAMES = [
  "metadata.google.internal",
  "metadata.goog",
  "metadata",
  "instance-data",
  "instance-data.ec2.internal",
];

/** IPv6 forms whose last 32 bits are the IPv4 address actually reached: IPv4-mapped (also SIIT's
 * rfc6145 form), IPv4-compatible (::/96, deprecated but still routed by some stacks) and NAT64's
 * well-known prefix (64:ff9b::/96, RFC 6052). */
const EMBEDDING_RANGES = new Set(["ipv4Mapped", "rfc6145"]);
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR("::/96");
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR("64:ff9b::/96");

const metadata = METADATA_ADDRESSES.map((text) => ipaddr.parse(text));

export interface AddressClass {
  /** the address as parsed (IPv6 in RFC 5952 form) */
  address: string;
  /** the IPv4 address an IPv6 form embeds, when it embeds one */
  embedded?: string;
  /** ipaddr.js's range name of the address reached (`unicast` = public), or `metadata` */
  range: string;
  public: boolean;
  /** the parsed address reached (the embedded IPv4 one when there is one) */
  reached: Address;
  /** the parsed address as written */
  parsed: Address;
}

/** Classified addresses: the same few (upstreams, issuers) come back on every request. */
const known = new Map<string, AddressClass | undefined>();
const KNOWN_MAX = 1024;

/** Classifies an IP address literal; undefined when it is not one. */
export function classifyAddress(text: string): AddressClass | undefined {
  if (known.has(text)) return known.get(text);
  const facts = classify(text);
  if (known.size >= KNOWN_MAX) known.clear();
  known.set(text, facts);
  return facts;
}

function classify(text: string): AddressClass | undefined {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  // node's check first: strict forms only (what URLs and resolvers produce), and no exception
  // thrown for every host name as ipaddr.isValid does
  if (isIP(bare) === 0) return undefined;
  const parsed = ipaddr.parse(bare);
  const embedded = embeddedIPv4(parsed);
  const reached = embedded ?? parsed;
  const range = metadata.some((m) => sameAddress(m, reached)) ? "metadata" : reached.range();
  return {
    address: parsed.kind() === "ipv6" ? (parsed as IPv6).toRFC5952String() : String(parsed),
    ...(embedded ? { embedded: String(embedded) } : {}),
    range,
    public: range === "unicast",
    reached,
    parsed,
  };
}

function embeddedIPv4(address: Address): IPv4 | undefined {
  if (address.kind() !== "ipv6") return undefined;
  const v6 = address as IPv6;
  const range = v6.range();
  const carries =
    EMBEDDING_RANGES.has(range) ||
    v6.match(NAT64_WELL_KNOWN) ||
    // :: and ::1 are in ::/96 too, and are what they are
    (range === "unicast" && v6.match(IPV4_COMPATIBLE));
  if (!carries) return undefined;
  return new ipaddr.IPv4(v6.toByteArray().slice(12));
}

export function sameAddress(a: Address, b: Address): boolean {
  return a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString();
}

/** Whether `address` is inside `range` (false when one is IPv4 and the other IPv6). */
export function inRange(address: Address, range: [Address, number]): boolean {
  return address.kind() === range[0].kind() && address.match(range);
}

/** Plain words for a range, for refusals. */
export function describeRange(range: string): string {
  return RANGE_WORDS[range] ?? `special-purpose address (${range})`;
}

const RANGE_WORDS: Record<string, string> = {
  metadata: "cloud metadata endpoint",
  loopback: "loopback address (127.0.0.0/8, ::1)",
  private: "private address (RFC 1918: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)",
  uniqueLocal: "unique local address (fc00::/7)",
  linkLocal: "link-local address (169.254.0.0/16, fe80::/10)",
  carrierGradeNat: "carrier-grade NAT address (100.64.0.0/10)",
  unspecified: "unspecified address (0.0.0.0/8, ::)",
  broadcast: "broadcast address",
  multicast: "multicast address",
  reserved: "reserved address (documentation, benchmarking or future use)",
  rfc6052: "NAT64 local-use address (64:ff9b:1::/48)",
  "6to4": "6to4 address (2002::/16)",
  teredo: "Teredo address (2001::/32)",
  unicast: "public address",
};
