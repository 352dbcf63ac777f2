// uuid.parse: the fields OPA reads from a UUID (google/uuid's formats: plain, braces, urn:uuid:,
// 32 hex digits); versions 1 and 2 also give their time, clock sequence and node.
import { stringOperand } from "./errors.ts";
import type { HostBuiltinTable } from "./types.ts";
import { exactInteger } from "./numbers.ts";

/** 100-ns intervals between 1582-10-15 (the UUID epoch) and 1970-01-01. */
const GREGORIAN_TO_UNIX = 122_192_928_000_000_000n;

function uuidBytes(text: string): Uint8Array | undefined {
  let s = text;
  if (s.length === 45 && s.slice(0, 9).toLowerCase() === "urn:uuid:") s = s.slice(9);
  else if (s.length === 38 && s[0] === "{" && s[37] === "}") s = s.slice(1, 37);
  let hex: string;
  if (s.length === 36) {
    if (s[8] !== "-" || s[13] !== "-" || s[18] !== "-" || s[23] !== "-") return undefined;
    hex = s.replace(/-/g, "");
  } else if (s.length === 32) {
    hex = s;
  } else {
    return undefined;
  }
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return undefined;
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

function variantOf(b: number): string {
  if ((b & 0xc0) === 0x80) return "RFC4122";
  if ((b & 0xe0) === 0xc0) return "Microsoft";
  if ((b & 0xe0) === 0xe0) return "Future";
  return "Reserved";
}

function macVariables(b: number): string {
  if ((b & 0b11) === 0b11) return "local:multicast";
  if ((b & 0b01) === 0b01) return "global:multicast";
  if ((b & 0b10) === 0b10) return "local:unicast";
  return "global:unicast";
}

const DOMAINS = ["Person", "Group", "Org"];

function parseUuid([value]: unknown[]): unknown {
  const u = uuidBytes(stringOperand(value, 1));
  if (!u) return undefined; // not a UUID: undefined, as in OPA
  const version = u[6]! >> 4;
  const out: Record<string, unknown> = { version, variant: variantOf(u[8]!) };
  if (version === 1 || version === 2) {
    const big = (from: number, to: number) =>
      BigInt(`0x${Buffer.from(u.slice(from, to)).toString("hex")}`);
    const high = big(6, 8) & 0x0fffn;
    const low = big(0, 4); // for version 2 this is the id, but google/uuid counts it in the time too
    const time100ns = low | (big(4, 6) << 32n) | (high << 48n);
    out.time = exactInteger((time100ns - GREGORIAN_TO_UNIX) * 100n);
    out.clocksequence = ((u[8]! & 0x3f) << 8) | u[9]!;
    out.nodeid = Array.from(u.slice(10), (b) => b.toString(16).padStart(2, "0")).join("-");
    out.macvariables = macVariables(u[10]!);
    if (version === 2) {
      out.id = Number(big(0, 4));
      out.domain = DOMAINS[u[9]!] ?? `Domain${u[9]}`;
    }
  }
  return out;
}

export const uuidBuiltins: HostBuiltinTable = {
  "uuid.parse": parseUuid,
};
