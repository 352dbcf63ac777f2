// A minimal tar (ustar) writer and reader: regular files only, enough for OPA bundles.
// The reader also understands the long-name extensions Go's archive/tar emits (PAX `x` records and
// GNU `L` entries), so bundles built by OPA's own `opa build` read back.

export interface TarEntry {
  name: string;
  data: Uint8Array;
}

const block = 512;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function writeTar(entries: TarEntry[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    const split = splitUstarName(entry.name);
    if (!split) {
      // too long for ustar's name+prefix: a PAX extended header carries the full path
      const pax = encoder.encode(paxRecord("path", entry.name));
      parts.push(header({ name: "PaxHeader", prefix: "", size: pax.length, type: "x" }), pad(pax));
    }
    const { name, prefix } = split ?? {
      name: entry.name.replace(/[^\x20-\x7e]/g, "_").slice(-100),
      prefix: "",
    };
    parts.push(header({ name, prefix, size: entry.data.length, type: "0" }), pad(entry.data));
  }
  parts.push(new Uint8Array(block * 2)); // end-of-archive marker
  return Buffer.concat(parts);
}

export function readTar(archive: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + block <= archive.length) {
    const h = archive.subarray(offset, offset + block);
    if (h.every((b) => b === 0)) break;
    if (readOctal(h, 148, 8) !== checksum(h))
      throw new Error(`tar: bad header checksum at offset ${offset}`);
    const size = readOctal(h, 124, 12);
    const type = String.fromCharCode(h[156]!);
    const data = archive.subarray(offset + block, offset + block + size);
    if (data.length < size) throw new Error(`tar: entry at offset ${offset} is truncated`);
    offset += block + Math.ceil(size / block) * block;

    if (type === "x") {
      longName = parsePax(data).path ?? longName;
    } else if (type === "L") {
      longName = readString(data, 0, data.length);
    } else if (type === "0" || type === "\0" || type === "7") {
      const isUstar = readString(h, 257, 5) === "ustar";
      const prefix = isUstar ? readString(h, 345, 155) : "";
      const name = readString(h, 0, 100);
      entries.push({ name: longName ?? (prefix ? `${prefix}/${name}` : name), data });
      longName = undefined;
    } else {
      longName = undefined; // directories, links, global headers: not part of a bundle's content
    }
  }
  return entries;
}

function splitUstarName(name: string): { name: string; prefix: string } | undefined {
  if (encoder.encode(name).length <= 100) return { name, prefix: "" };
  for (let i = name.lastIndexOf("/"); i > 0; i = name.lastIndexOf("/", i - 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (encoder.encode(rest).length > 100) return undefined;
    if (encoder.encode(prefix).length <= 155) return { name: rest, prefix };
  }
  return undefined;
}

function header(h: { name: string; prefix: string; size: number; type: string }): Uint8Array {
  const out = new Uint8Array(block);
  writeString(out, 0, 100, h.name);
  writeString(out, 100, 8, "0000644");
  writeString(out, 108, 8, "0000000");
  writeString(out, 116, 8, "0000000");
  writeString(out, 124, 12, h.size.toString(8).padStart(11, "0"));
  writeString(out, 136, 12, "00000000000"); // mtime 0: the same inputs give the same bytes
  out[156] = h.type.charCodeAt(0);
  writeString(out, 257, 6, "ustar");
  writeString(out, 263, 2, "00");
  writeString(out, 345, 155, h.prefix);
  writeString(out, 148, 8, `${checksum(out).toString(8).padStart(6, "0")}\0 `);
  return out;
}

/** Sum of the header bytes with the checksum field counted as spaces. */
function checksum(h: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < block; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum;
}

function pad(data: Uint8Array): Uint8Array {
  const size = Math.ceil(data.length / block) * block;
  if (size === data.length) return data;
  const out = new Uint8Array(size);
  out.set(data);
  return out;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  // the length prefix counts its own digits
  const bodyLength = encoder.encode(body).length;
  let length = bodyLength + 1;
  while (length !== bodyLength + String(length).length) length = bodyLength + String(length).length;
  return `${length}${body}`;
}

function parsePax(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space < 0) break;
    const length = Number(decoder.decode(data.subarray(offset, space)));
    if (!(length > 0)) break;
    const record = decoder.decode(data.subarray(space + 1, offset + length - 1));
    const eq = record.indexOf("=");
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    offset += length;
  }
  return out;
}

function writeString(out: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = encoder.encode(value);
  if (bytes.length > length) throw new Error(`tar: field too long: ${value}`);
  out.set(bytes, offset);
}

function readString(h: Uint8Array, offset: number, length: number): string {
  const field = h.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return decoder.decode(end < 0 ? field : field.subarray(0, end));
}

function readOctal(h: Uint8Array, offset: number, length: number): number {
  const text = readString(h, offset, length).trim();
  return text === "" ? 0 : parseInt(text, 8);
}
