// Comparisons of secrets that take the same time wherever the first difference is.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** Equal secrets? Both sides are hashed first, so the compared buffers always have equal length. */
export function secretsEqual(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** GitHub's `X-Hub-Signature-256: sha256=<hex>`: HMAC-SHA256 of the raw body with the secret. */
export function hmacSignatureValid(header: string, body: Buffer, secret: string): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match) return false;
  const expected = createHmac("sha256", secret).update(body).digest();
  return timingSafeEqual(Buffer.from(match[1]!, "hex"), expected);
}
