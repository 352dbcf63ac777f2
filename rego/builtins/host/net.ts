// net.cidr_* builtins over Go's address rules: dotted IPv4 without leading zeros, IPv6 with
// "::" compression and an optional trailing IPv4; IPv4-mapped IPv6 addresses compare as IPv4.
import { builtinError, stringOperand } from "./errors.ts";
import type { HostBuiltinTable } from "./types.ts";
import { cidrMerge } from "./cidr-merge.ts";
import { isObject, RegoSet, setOf } from "./values.ts";

/** An address as an integer of `bits` (32 or 128) bits. */
export interface Ip {
  value: bigint;
  bits: 32 | 128;
}

export interface Network {
  first: Ip;
  prefix: number;
}

const MAX_EXPANSION = 65_536;
/** cidr_contains_matches compares every pair (~1-15 µs each): bounds one call to well under 1 s */
const MAX_MATCH_PAIRS = 65_536;

function parseIpv4(s: string): bigint | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(s: string): bigint | undefined {
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (text: string): bigint[] | undefined => {
    if (text === "") return [];
    const out: bigint[] = [];
    const fields = text.split(":");
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      if (i === fields.length - 1 && field.includes(".")) {
        const v4 = parseIpv4(field);
        if (v4 === undefined) return undefined;
        out.push(v4 >> 16n, v4 & 0xffffn);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(field)) {
        out.push(BigInt(`0x${field}`));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  // An embedded IPv4 may only end the address.
  if (halves.length === 2 && halves[0]!.includes(".")) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<bigint>(halves.length === 2 ? missing : 0).fill(0n), ...tail];
  return all.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Go's net.ParseIP, with IPv4-mapped IPv6 addresses reduced to IPv4. */
export function parseIp(s: string): Ip | undefined {
  const v4 = parseIpv4(s);
  if (v4 !== undefined) return { value: v4, bits: 32 };
  if (!s.includes(":")) return undefined;
  const v6 = parseIpv6(s);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { value: v6 & 0xffffffffn, bits: 32 };
  return { value: v6, bits: 128 };
}

export const hostMask = (bits: number, prefix: number): bigint =>
  (1n << BigInt(bits - prefix)) - 1n;

/** Go's net.ParseCIDR: the network with its host bits cleared. */
export function parseCidr(s: string): Network | undefined {
  const slash = s.indexOf("/");
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash);
  const prefixText = s.slice(slash + 1);
  if (!/^\d+$/.test(prefixText)) return undefined;
  let prefix = Number(prefixText);
  const v4 = parseIpv4(addr);
  let ip: Ip;
  if (v4 !== undefined) {
    if (prefix > 32) return undefined;
    ip = { value: v4, bits: 32 };
  } else {
    const v6 = addr.includes(":") ? parseIpv6(addr) : undefined;
    if (v6 === undefined || prefix > 128) return undefined;
    ip = { value: v6, bits: 128 };
    if (v6 >> 32n === 0xffffn) {
      // Go compares a mapped network by its IPv4 part and the mask's last 32 bits.
      ip = { value: v6 & 0xffffffffn, bits: 32 };
      prefix = Math.max(0, prefix - 96);
    }
  }
  const first = { value: ip.value & ~hostMask(ip.bits, prefix), bits: ip.bits };
  return { first, prefix };
}

function contains(net: Network, ip: Ip): boolean {
  if (net.first.bits !== ip.bits) return false;
  return (ip.value & ~hostMask(ip.bits, net.prefix)) === net.first.value;
}

const lastAddress = (net: Network): Ip => ({
  value: net.first.value | hostMask(net.first.bits, net.prefix),
  bits: net.first.bits,
});

/** Go's IP.String: dotted IPv4, or RFC 5952 IPv6 (longest run of zero groups as "::"). */
export function formatIp(ip: Ip): string {
  if (ip.bits === 32) {
    return [24n, 16n, 8n, 0n].map((shift) => String((ip.value >> shift) & 0xffn)).join(".");
  }
  const groups = Array.from({ length: 8 }, (_, i) =>
    Number((ip.value >> BigInt(112 - 16 * i)) & 0xffffn),
  );
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

function cidrOperand(value: unknown, pos: number): Network {
  const s = stringOperand(value, pos);
  const net = parseCidr(s);
  if (!net) throw builtinError(`invalid CIDR address: ${s}`);
  return net;
}

function cidrContains([a, b]: unknown[]): boolean {
  const net = cidrOperand(a, 1);
  const s = stringOperand(b, 1);
  const ip = parseIp(s);
  if (ip) return contains(net, ip);
  const inner = parseCidr(s);
  if (!inner)
    throw builtinError(`not a valid textual representation of an IP address or CIDR: ${s}`);
  return contains(net, inner.first) && contains(net, lastAddress(inner));
}

function cidrExpand([a]: unknown[]): RegoSet {
  const s = stringOperand(a, 1);
  const net = cidrOperand(s, 1);
  const hostBits = net.first.bits - net.prefix;
  if (hostBits > 16)
    throw builtinError(`CIDR ${s} expands to more than ${MAX_EXPANSION} addresses`);
  const out: string[] = [];
  for (let i = 0n; i < 1n << BigInt(hostBits); i++) {
    out.push(formatIp({ value: net.first.value + i, bits: net.first.bits }));
  }
  return setOf(out);
}

const MATCH_ELEMENT = "element must be string or non-empty array";

/**
 * The (key, cidr) pairs of a cidr_contains_matches operand: a string is its own key; elements (a
 * CIDR, or an array whose first element is one) are keyed by index in arrays, by themselves in
 * sets; object values by key.
 */
function matchOperand(value: unknown, pos: number): [unknown, unknown][] {
  const cidrOf = (v: unknown): unknown => {
    if (typeof v === "string") return v;
    if (Array.isArray(v) && v.length > 0) return v[0];
    throw builtinError(`operand ${pos}: ${MATCH_ELEMENT}`);
  };
  if (typeof value === "string") return [[value, value]];
  if (value instanceof RegoSet) return value.map((v) => [v, cidrOf(v)]);
  if (Array.isArray(value)) return value.map((v, i) => [i, cidrOf(v)]);
  if (isObject(value)) return Object.entries(value).map(([k, v]) => [k, cidrOf(v)]);
  return [];
}

function cidrContainsMatches([a, b]: unknown[]): unknown[] {
  const matches: unknown[] = [];
  const left = matchOperand(a, 1);
  const right = matchOperand(b, 2);
  if (left.length * right.length > MAX_MATCH_PAIRS) {
    throw builtinError(
      `${left.length} x ${right.length} pairs to compare, more than ${MAX_MATCH_PAIRS}`,
    );
  }
  for (const [k1, cidr] of left) {
    for (const [k2, ip] of right) {
      if (cidrContains([cidr, ip])) matches.push([k1, k2]);
    }
  }
  return setOf(matches);
}

export const netBuiltins: HostBuiltinTable = {
  "net.cidr_contains": cidrContains,
  "net.cidr_contains_matches": cidrContainsMatches,
  "net.cidr_merge": cidrMerge,
  "net.cidr_intersects": ([a, b]) => {
    const x = cidrOperand(a, 1);
    const y = cidrOperand(b, 1);
    return contains(x, y.first) || contains(y, x.first);
  },
  "net.cidr_is_valid": ([a]) => typeof a === "string" && parseCidr(a) !== undefined,
  "net.cidr_expand": cidrExpand,
};
