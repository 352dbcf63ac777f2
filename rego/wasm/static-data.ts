// The policy's constants, laid out in linear memory from a fixed base address: string VALUE records
// (the runtime's fixed string layout, see docs/rego-runtime-abi.md), NUL-terminated texts (abort
// messages, the builtins/entrypoints JSON). Addresses are final as soon as something is added, so
// the code generator can embed them while it emits code.

const STRING_TAG = 4;
const utf8 = new TextEncoder();

export class StaticData {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  private readonly cstrings = new Map<string, number>();

  constructor(readonly base: number) {
    if (base % 16 !== 0) throw new Error(`static data base ${base} is not 16-byte aligned`);
  }

  /** Address one past the last byte written so far. */
  get end(): number {
    return this.base + this.size;
  }

  /** First free address after the static data, 16-byte aligned (the heap base). */
  get heapBase(): number {
    return align(this.end, 16);
  }

  /** The bytes to place at `base`. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  addBytes(bytes: Uint8Array, alignment = 1): number {
    this.pad(alignment);
    const addr = this.end;
    this.chunks.push(bytes);
    this.size += bytes.length;
    return addr;
  }

  /** A string value record (tag, byte length, address of the UTF-8 bytes) followed by its bytes. */
  addStringValue(text: string): number {
    const bytes = utf8.encode(text);
    this.pad(4);
    const recordAddr = this.end;
    const record = new Uint8Array(12);
    const view = new DataView(record.buffer);
    view.setUint32(0, STRING_TAG, true);
    view.setUint32(4, bytes.length, true);
    view.setUint32(8, recordAddr + 12, true);
    this.addBytes(record);
    this.addBytes(bytes);
    return recordAddr;
  }

  /** A NUL-terminated text; identical texts share one copy. `ascii` replaces other characters by `?`. */
  addCString(text: string, ascii = false): number {
    const content = ascii ? toAscii(text) : text;
    const known = this.cstrings.get(content);
    if (known !== undefined) return known;
    const encoded = utf8.encode(content);
    const bytes = new Uint8Array(encoded.length + 1);
    bytes.set(encoded);
    const addr = this.addBytes(bytes);
    this.cstrings.set(content, addr);
    return addr;
  }

  private pad(alignment: number): void {
    const padding = align(this.end, alignment) - this.end;
    if (padding > 0) {
      this.chunks.push(new Uint8Array(padding));
      this.size += padding;
    }
  }
}

export function align(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

// The SDK decodes abort messages byte by byte as Latin-1 of signed bytes.
function toAscii(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?");
}
