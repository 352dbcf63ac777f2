// Base64 decoding with Go's encoding/base64 rules and errors ("illegal base64 data at input byte
// N"): OPA's JWT and certificate builtins report where the text goes wrong. Node's decoder skips
// bad characters silently, so it cannot say that.

const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

export class Base64Error extends Error {
  constructor(readonly offset: number) {
    super(`illegal base64 data at input byte ${offset}`);
  }
}

const isNewline = (b: number | undefined) => b === 0x0a || b === 0x0d;

/**
 * Go's Encoding.DecodeString for the standard or URL alphabet, padded (`=`) or not; `\r` and
 * `\n` are skipped. Throws Base64Error at the first byte Go would reject.
 */
export function decodeGoBase64(text: string, alphabet: "std" | "url", padded: boolean): Buffer {
  const chars = alphabet === "std" ? STD : URL;
  const src = Buffer.from(text, "utf8");
  const out: number[] = [];
  let si = 0;
  while (si < src.length) {
    const quantum: number[] = [];
    let j = 0;
    let ended = false;
    for (; j < 4; j++) {
      while (si < src.length && isNewline(src[si])) si++;
      if (si === src.length) {
        if (j === 0) return Buffer.from(out);
        if (j === 1 || padded) throw new Base64Error(si - j);
        ended = true;
        break;
      }
      const b = src[si++]!;
      const value = chars.indexOf(String.fromCharCode(b));
      if (value >= 0 && b < 0x80) {
        quantum.push(value);
        continue;
      }
      if (!padded || b !== 0x3d) throw new Base64Error(si - 1);
      // padding
      if (j < 2) throw new Base64Error(si - 1);
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) throw new Base64Error(src.length);
        if (src[si] !== 0x3d) throw new Base64Error(si - 1);
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      if (si < src.length) throw new Base64Error(si);
      ended = true;
      break;
    }
    const [a = 0, b = 0, c = 0, d = 0] = quantum;
    const bits = (a << 18) | (b << 12) | (c << 6) | d;
    const bytes = [(bits >> 16) & 0xff, (bits >> 8) & 0xff, bits & 0xff];
    out.push(...bytes.slice(0, Math.max(0, quantum.length - 1)));
    if (ended) break;
  }
  return Buffer.from(out);
}

/** OPA's base64url.decode: adds missing padding (RFC 7515 appendix C), then decodes. */
export function decodeBase64Url(text: string): Buffer {
  let s = text;
  if (!s.endsWith("=")) {
    const rest = s.length % 4;
    if (rest === 1) throw new Error(`illegal base64url string: ${text}`);
    if (rest > 0) s += "=".repeat(4 - rest);
  }
  return decodeGoBase64(s, "url", true);
}
