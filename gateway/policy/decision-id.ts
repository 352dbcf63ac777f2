// Decision ids are UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits, so they
// sort by time in the audit store and cannot be guessed.
import { randomUUID } from "node:crypto";

// randomUUID draws from a cached entropy pool (one syscall per many ids, unlike randomBytes(16));
// its v4 bits are kept past the timestamp, with the version nibble set to 7 (the variant is 10 already).
export function newDecisionId(nowMs: number = Date.now()): string {
  const random = randomUUID();
  const ms = Math.max(0, Math.floor(nowMs)).toString(16).padStart(12, "0").slice(-12);
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${random.slice(15)}`;
}

/** The Unix milliseconds a decision id was made at. */
export function decisionIdTime(id: string): number {
  return parseInt(id.replace(/-/g, "").slice(0, 12), 16);
}
