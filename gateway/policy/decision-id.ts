// Decision ids are UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits, so they
// sort by time in the audit store and cannot be guessed.
import { randomBytes } from "node:crypto";

export function newDecisionId(nowMs: number = Date.now()): string {
  const bytes = randomBytes(16);
  let ms = BigInt(Math.max(0, Math.floor(nowMs)));
  for (let i = 5; i >= 0; i--) {
    bytes[i] = Number(ms & 0xffn);
    ms >>= 8n;
  }
  bytes[6] = 0x70 | (bytes[6]! & 0x0f); // version 7
  bytes[8] = 0x80 | (bytes[8]! & 0x3f); // variant 10
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The Unix milliseconds a decision id was made at. */
export function decisionIdTime(id: string): number {
  return parseInt(id.replace(/-/g, "").slice(0, 12), 16);
}
