// net.cidr_merge: the smallest set of CIDRs covering the given networks and IPv4 addresses (an
// address stands for its classful network, as Go's IP.DefaultMask gives it), as OPA merges them:
// ranges sorted and joined when they touch or overlap; a network merged with no other keeps its
// own text, a joined range is split into the largest aligned blocks.
import { builtinError } from "./errors.ts";
import { formatIp, hostMask, parseCidr, parseIp, type Ip } from "./net.ts";
import { setOf } from "./values.ts";

interface Range {
  first: bigint;
  last: bigint;
  bits: 32 | 128;
  /** the CIDR text while the range is one input network */
  text?: string;
}

/** Go's IP.DefaultMask: class A /8, B /16, else /24. */
const classfulPrefix = (v4: bigint): number => (v4 >> 31n === 0n ? 8 : v4 >> 30n === 2n ? 16 : 24);

function rangeOf(element: unknown): Range {
  if (typeof element !== "string") throw builtinError("element must be string");
  const ip = parseIp(element);
  if (ip) {
    if (ip.bits !== 32) throw builtinError("IPv6 invalid: needs prefix length");
    const prefix = classfulPrefix(ip.value);
    const first = ip.value & ~hostMask(32, prefix);
    return {
      first,
      last: first | hostMask(32, prefix),
      bits: 32,
      text: `${formatIp(ip)}/${prefix}`,
    };
  }
  const net = parseCidr(element);
  if (!net) throw builtinError(`invalid CIDR address: ${element}`);
  const { first, prefix } = net;
  return {
    first: first.value,
    last: first.value | hostMask(first.bits, prefix),
    bits: first.bits,
    text: `${formatIp(first)}/${prefix}`,
  };
}

/** The largest aligned CIDR blocks covering first..last. */
function rangeToCidrs(first: bigint, last: bigint, bits: 32 | 128): string[] {
  const out: string[] = [];
  let start = first;
  while (start <= last) {
    let size = 0;
    // grow the block while it stays aligned and inside the range
    while (size < bits) {
      const next = size + 1;
      const mask = (1n << BigInt(next)) - 1n;
      if ((start & mask) !== 0n || start + mask > last) break;
      size = next;
    }
    const ip: Ip = { value: start, bits };
    out.push(`${formatIp(ip)}/${bits - size}`);
    start += 1n << BigInt(size);
  }
  return out;
}

function mergeFamily(ranges: Range[]): string[] {
  ranges.sort((a, b) =>
    a.last < b.last ? -1 : a.last > b.last ? 1 : a.first < b.first ? -1 : a.first > b.first ? 1 : 0,
  );
  for (let i = ranges.length - 1; i > 0; i--) {
    const current = ranges[i]!;
    const previous = ranges[i - 1]!;
    if (current.first - 1n <= previous.last) {
      const first = previous.first < current.first ? previous.first : current.first;
      ranges[i - 1] = { first, last: current.last, bits: current.bits };
      ranges.splice(i, 1);
    }
  }
  return ranges.flatMap((r) => (r.text ? [r.text] : rangeToCidrs(r.first, r.last, r.bits)));
}

export function cidrMerge([value]: unknown[]): unknown[] {
  if (!Array.isArray(value)) throw builtinError("operand must be an array");
  const ranges = value.map(rangeOf);
  return setOf([
    ...mergeFamily(ranges.filter((r) => r.bits === 32)),
    ...mergeFamily(ranges.filter((r) => r.bits === 128)),
  ]);
}
