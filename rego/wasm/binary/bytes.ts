// Byte-level reading and writing of the WebAssembly binary format: LEB128 integers, names, vectors.

export class ByteWriter {
  private buffer = new Uint8Array(256);
  length = 0;

  byte(value: number): this {
    this.reserve(1);
    this.buffer[this.length++] = value;
    return this;
  }

  bytes(values: ArrayLike<number>): this {
    this.reserve(values.length);
    this.buffer.set(values, this.length);
    this.length += values.length;
    return this;
  }

  u32(value: number): this {
    return this.bytes(unsignedLeb(value));
  }

  s32(value: number): this {
    return this.bytes(signedLeb32(value));
  }

  name(text: string): this {
    const utf8 = new TextEncoder().encode(text);
    return this.u32(utf8.length).bytes(utf8);
  }

  /** `content` preceded by its length in bytes (a section or a function body). */
  sized(content: Uint8Array): this {
    return this.u32(content.length).bytes(content);
  }

  finish(): Uint8Array<ArrayBuffer> {
    return this.buffer.slice(0, this.length);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + n));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}

export function unsignedLeb(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw new RangeError(`not a u32: ${value}`);
  const out: number[] = [];
  do {
    const low = value & 0x7f;
    value = Math.floor(value / 128);
    out.push(value === 0 ? low : low | 0x80);
  } while (value !== 0);
  return out;
}

/** An i32 immediate: -2^31 to 2^32-1 (values above 2^31-1 are the same bits, negative). */
export function signedLeb32(value: number): number[] {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff)
    throw new RangeError(`not a 32-bit integer: ${value}`);
  let v = value | 0;
  const out: number[] = [];
  for (;;) {
    const low = v & 0x7f;
    v >>= 7; // arithmetic: the sign is kept
    const done = (v === 0 && (low & 0x40) === 0) || (v === -1 && (low & 0x40) !== 0);
    out.push(done ? low : low | 0x80);
    if (done) return out;
  }
}

export function signedLeb(value: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const low = Number(value & 0x7fn);
    value >>= 7n;
    const done = (value === 0n && (low & 0x40) === 0) || (value === -1n && (low & 0x40) !== 0);
    out.push(done ? low : low | 0x80);
    if (done) return out;
  }
}

export class ByteReader {
  constructor(
    readonly bytes: Uint8Array,
    public pos = 0,
    readonly end = bytes.length,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  byte(): number {
    if (this.pos >= this.end) throw new Error(`unexpected end at byte ${this.pos}`);
    return this.bytes[this.pos++]!;
  }

  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) break;
        return result;
      }
    }
    throw new Error(`malformed u32 before byte ${this.pos}`);
  }

  /** A signed LEB128 of at most `bits` bits, skipped (its value is not needed). */
  skipSigned(bits: number): void {
    const maxBytes = Math.ceil(bits / 7);
    for (let i = 0; i < maxBytes; i++) if ((this.byte() & 0x80) === 0) return;
    throw new Error(`malformed signed integer before byte ${this.pos}`);
  }

  s32(): number {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 5; i++) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) {
        if (b & 0x40) result -= 1n << shift;
        return Number(BigInt.asIntN(32, result));
      }
    }
    throw new Error(`malformed s32 before byte ${this.pos}`);
  }

  take(n: number): Uint8Array {
    if (n > this.end - this.pos) throw new Error(`unexpected end at byte ${this.pos}`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  name(): string {
    return new TextDecoder("utf-8", { fatal: true }).decode(this.take(this.u32()));
  }
}
