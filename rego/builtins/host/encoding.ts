// Encoding helpers: YAML, hex, URL query escaping, and seeded UUIDs.
import { randomUUID } from "node:crypto";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { builtinError, operandError, operandTypeError, stringOperand } from "./errors.ts";
import { LruCache } from "./lru.ts";
import type { HostBuiltinTable } from "./types.ts";
import { isObject } from "./values.ts";

const utf8 = new TextEncoder();
const utf8Lenient = new TextDecoder("utf-8", { fatal: false });

// OPA reads YAML with go-yaml v2 (YAML 1.1 scalars: yes/no/on/off are booleans).
const readYaml = (text: string): unknown =>
  parseYaml(text, {
    version: "1.1",
    // go-yaml keeps timestamps and sexagesimal numbers as strings when decoding into JSON.
    customTags: (tags) =>
      tags.filter(
        (t) =>
          typeof t === "string" || (t.tag !== "tag:yaml.org,2002:timestamp" && t.format !== "TIME"),
      ),
  }) ?? null;

/** Go's %#U rendering of a byte, as in "invalid byte: U+0067 'g'". */
function describeByte(b: number): string {
  const code = `U+${b.toString(16).toUpperCase().padStart(4, "0")}`;
  const ch = String.fromCodePoint(b);
  return /\p{L}|\p{N}|\p{P}|\p{S}/u.test(ch) || ch === " " ? `${code} '${ch}'` : code;
}

function hexDecode([value]: unknown[]): string {
  const bytes = utf8.encode(stringOperand(value, 1));
  const nibble = (b: number): number => {
    const c = String.fromCharCode(b);
    return /[0-9a-fA-F]/.test(c) ? parseInt(c, 16) : -1;
  };
  const out = new Uint8Array(bytes.length >> 1);
  for (let i = 1; i < bytes.length; i += 2) {
    const [hi, lo] = [nibble(bytes[i - 1]!), nibble(bytes[i]!)];
    if (hi < 0) throw builtinError(`encoding/hex: invalid byte: ${describeByte(bytes[i - 1]!)}`);
    if (lo < 0) throw builtinError(`encoding/hex: invalid byte: ${describeByte(bytes[i]!)}`);
    out[i >> 1] = (hi << 4) | lo;
  }
  if (bytes.length % 2 === 1) {
    const last = bytes[bytes.length - 1]!;
    if (nibble(last) < 0) throw builtinError(`encoding/hex: invalid byte: ${describeByte(last)}`);
    throw builtinError("encoding/hex: odd length hex string");
  }
  return utf8Lenient.decode(out);
}

/** Go's url.QueryEscape: unreserved characters stay, space becomes "+", the rest %XX. */
function queryEscape(s: string): string {
  let out = "";
  for (const b of utf8.encode(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Go's url.QueryUnescape. */
function queryUnescape(s: string): string {
  const bytes = utf8.encode(s);
  const out: number[] = [];
  const isHex = (b: number | undefined) =>
    b !== undefined && /[0-9a-fA-F]/.test(String.fromCharCode(b));
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x25) {
      if (!isHex(bytes[i + 1]) || !isHex(bytes[i + 2])) {
        const escape = utf8Lenient.decode(bytes.slice(i, i + 3));
        throw builtinError(`invalid URL escape ${JSON.stringify(escape)}`);
      }
      out.push(parseInt(String.fromCharCode(bytes[i + 1]!, bytes[i + 2]!), 16));
      i += 2;
    } else {
      out.push(b === 0x2b ? 0x20 : b);
    }
  }
  return utf8Lenient.decode(new Uint8Array(out));
}

const VALUES_MESSAGE = "values must be string, array[string], or set[string]";

/** Go's url.Values.Encode of an object: keys sorted, each value escaped, `&`-joined. */
function encodeObject([value]: unknown[]): string {
  if (!isObject(value)) throw operandTypeError(1, value, "object");
  const pairs: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const v = value[key];
    const list = typeof v === "string" ? [v] : Array.isArray(v) ? v : undefined;
    if (!list || list.some((x) => typeof x !== "string")) throw operandError(1, VALUES_MESSAGE);
    for (const item of list as string[]) pairs.push(`${queryEscape(key)}=${queryEscape(item)}`);
  }
  return pairs.join("&");
}

/** Go's url.ParseQuery: `&`-separated pairs, each value list in order; `;` is refused. */
function decodeObject([value]: unknown[]): Record<string, string[]> {
  const text = stringOperand(value, 1);
  // keys come from the caller: no prototype, so "__proto__" is a plain key
  const out: Record<string, string[]> = Object.create(null);
  let firstError: Error | undefined;
  for (const part of text.split("&")) {
    if (part === "") continue;
    if (part.includes(";")) {
      firstError ??= builtinError("invalid semicolon separator in query");
      continue;
    }
    const eq = part.indexOf("=");
    const [rawKey, rawValue] = eq < 0 ? [part, ""] : [part.slice(0, eq), part.slice(eq + 1)];
    try {
      const key = queryUnescape(rawKey);
      (out[key] ??= []).push(queryUnescape(rawValue));
    } catch (err) {
      firstError ??= err as Error;
    }
  }
  if (firstError) throw firstError;
  return out;
}

const uuidsBySeed = new LruCache<string, string>(1024);

export const encodingBuiltins: HostBuiltinTable = {
  "yaml.marshal": ([value]) => stringifyYaml(value, { sortMapEntries: true, indentSeq: false }),
  "yaml.unmarshal": ([value]) => {
    const text = stringOperand(value, 1);
    try {
      return readYaml(text);
    } catch (err) {
      throw builtinError(`error converting YAML to JSON: yaml: ${(err as Error).message}`);
    }
  },
  "yaml.is_valid": ([value]) => {
    if (typeof value !== "string") return false;
    try {
      readYaml(value);
      return true;
    } catch {
      return false;
    }
  },
  "hex.encode": ([value]) => Buffer.from(utf8.encode(stringOperand(value, 1))).toString("hex"),
  "hex.decode": hexDecode,
  "urlquery.encode": ([value]) => queryEscape(stringOperand(value, 1)),
  "urlquery.decode": ([value]) => queryUnescape(stringOperand(value, 1)),
  "urlquery.encode_object": encodeObject,
  "urlquery.decode_object": decodeObject,
  // OPA draws a random version-4 UUID per seed and reuses it for that seed.
  "uuid.rfc4122": ([seed]) => uuidsBySeed.getOrCreate(stringOperand(seed, 1), () => randomUUID()),
};
