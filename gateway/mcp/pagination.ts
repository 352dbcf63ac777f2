// Downstream pagination of an aggregated list: an opaque cursor holding the offset and a digest of
// the list it was cut from, so a cursor from a list that has since changed is refused.
import { createHash } from "node:crypto";
import { invalidParams } from "./errors.ts";

export const PAGE_SIZE = 100;

function digest(keys: string[]): string {
  return createHash("sha256").update(keys.join("\n")).digest("base64url").slice(0, 16);
}

export function paginate<T>(
  items: T[],
  keys: string[],
  cursor: unknown,
  pageSize = PAGE_SIZE,
): { page: T[]; nextCursor?: string } {
  const hash = digest(keys);
  let offset = 0;
  if (cursor !== undefined) {
    offset = readCursor(cursor, hash);
  }
  const end = offset + pageSize;
  const page = items.slice(offset, end);
  if (end >= items.length) return { page };
  const nextCursor = Buffer.from(JSON.stringify({ o: end, h: hash })).toString("base64url");
  return { page, nextCursor };
}

function readCursor(cursor: unknown, hash: string): number {
  if (typeof cursor !== "string") throw invalidParams("invalid cursor");
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidParams("invalid cursor");
  }
  const { o, h } = (parsed ?? {}) as { o?: unknown; h?: unknown };
  if (!Number.isSafeInteger(o) || (o as number) < 0) throw invalidParams("invalid cursor");
  if (h !== hash) throw invalidParams("stale cursor: the list changed, list again from the start");
  return o as number;
}
