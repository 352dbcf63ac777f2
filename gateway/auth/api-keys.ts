// API keys for machine clients. A key is `ghk_<id>_<secret>`: the id finds the record, the record
// holds only the key's sha256 (compared in constant time). The file lives in the data dir (0600)
// and is re-read when it changes, so `gatehouse keys create|revoke` applies to a running gateway.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { Principal } from "../mcp/contracts.ts";
import { API_KEY_PATTERN, API_KEY_PREFIX } from "./credentials.ts";
import { writePrivateFile } from "./data-file.ts";

export const API_KEYS_FILE = "api-keys.json";
/** bounded: the file is read whole on every change */
export const MAX_API_KEYS = 10_000;

const recordSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{16}$/),
  name: z.string().nullable(),
  sub: z.string().min(1),
  groups: z.array(z.string()),
  roles: z.array(z.string()),
  scopes: z.array(z.string()),
  /** hex sha256 of the whole key */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

const fileSchema = z.object({
  version: z.literal(1),
  keys: z.array(recordSchema).max(MAX_API_KEYS),
});

export type ApiKeyRecord = z.infer<typeof recordSchema>;

export interface NewApiKey {
  sub: string;
  name?: string;
  groups?: string[];
  roles?: string[];
  scopes?: string[];
  /** lifetime in ms; none = no expiry */
  ttlMs?: number;
}

export type ApiKeyLookup = { ok: true; principal: Principal } | { ok: false; reason: string };

function digestOf(key: string): Buffer {
  return createHash("sha256").update(key).digest();
}

function recordProblem(record: ApiKeyRecord, now: number): string | undefined {
  if (record.revokedAt !== null) return `API key ${record.id} is revoked`;
  if (record.expiresAt !== null && Date.parse(record.expiresAt) <= now)
    return `API key ${record.id} expired at ${record.expiresAt}`;
  return undefined;
}

export class ApiKeyStore {
  readonly path: string;
  private cache:
    { ino: number; mtimeMs: number; size: number; keys: Map<string, ApiKeyRecord> } | undefined;

  constructor(dataDir: string) {
    this.path = join(dataDir, API_KEYS_FILE);
  }

  /** The stored records (never the keys). */
  list(): ApiKeyRecord[] {
    return [...this.load().values()];
  }

  /** Creates a key; the returned `key` is the only time it exists in clear. */
  create(options: NewApiKey, now = new Date()): { key: string; record: ApiKeyRecord } {
    const records = this.load();
    if (records.size >= MAX_API_KEYS)
      throw new Error(
        `${this.path}: already holds ${MAX_API_KEYS} keys; revoke or remove some first`,
      );
    let id: string;
    do id = randomBytes(8).toString("hex");
    while (records.has(id));
    const key = `${API_KEY_PREFIX}${id}_${randomBytes(32).toString("base64url")}`;
    const record: ApiKeyRecord = {
      id,
      name: options.name ?? null,
      sub: options.sub,
      groups: options.groups ?? [],
      roles: options.roles ?? [],
      scopes: options.scopes ?? [],
      digest: digestOf(key).toString("hex"),
      createdAt: now.toISOString(),
      expiresAt:
        options.ttlMs === undefined ? null : new Date(now.getTime() + options.ttlMs).toISOString(),
      revokedAt: null,
    };
    records.set(id, record);
    this.save(records);
    return { key, record };
  }

  /** Marks a key revoked (the record stays, for audit); throws when the id is unknown. */
  revoke(id: string, now = new Date()): ApiKeyRecord {
    const records = this.load();
    const record = records.get(id);
    if (!record)
      throw new Error(`no API key with id ${JSON.stringify(id.slice(0, 40))} in ${this.path}`);
    if (record.revokedAt === null) {
      record.revokedAt = now.toISOString();
      this.save(records);
    }
    return record;
  }

  /** The principal of a presented key, or why it is refused (for the log, not the client). */
  lookup(key: string, now = Date.now()): ApiKeyLookup {
    const match = API_KEY_PATTERN.exec(key);
    if (!match) return { ok: false, reason: "malformed API key" };
    const id = match[1]!;
    const record = this.records().get(id);
    // compare a digest even for unknown ids, so timing does not reveal which ids exist
    const expected = record ? Buffer.from(record.digest, "hex") : Buffer.alloc(32);
    const same = timingSafeEqual(digestOf(key), expected);
    if (!record || !same) return { ok: false, reason: `unknown API key id ${id}` };
    const unusable = recordProblem(record, now);
    if (unusable) return { ok: false, reason: unusable };
    return {
      ok: true,
      principal: {
        sub: record.sub,
        iss: null,
        // the key id: sessions are bound to the key, and policies can tell keys apart
        clientId: id,
        groups: record.groups,
        roles: record.roles,
        scopes: record.scopes,
        claims: { key_id: id, key_name: record.name },
        auth: "api_key",
      },
    };
  }

  /** Which of these key ids may no longer be used (revoked, expired, removed), with why: for the
   * streams opened with them (credential-watch.ts). One stat of the file; read only if it changed. */
  unusable(ids: Iterable<string>, now = Date.now()): Map<string, string> {
    const records = this.records();
    const problems = new Map<string, string>();
    for (const id of ids) {
      const record = records.get(id);
      const problem = record ? recordProblem(record, now) : `API key ${id} no longer exists`;
      if (problem !== undefined) problems.set(id, problem);
    }
    return problems;
  }

  /** When the key expires (ms since the epoch), or null when it does not. */
  expiresAt(id: string): number | null {
    const expires = this.records().get(id)?.expiresAt;
    return expires ? Date.parse(expires) : null;
  }

  /** A copy of the records, to change and save. */
  private load(): Map<string, ApiKeyRecord> {
    return new Map(this.records());
  }

  /** The records as last read (re-read when the file changed); not to be changed. */
  private records(): ReadonlyMap<string, ApiKeyRecord> {
    let stat;
    try {
      stat = statSync(this.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return new Map();
      throw e;
    }
    // every save renames a new file into place, so a change always shows in the inode
    const { cache } = this;
    if (
      cache &&
      cache.ino === stat.ino &&
      cache.mtimeMs === stat.mtimeMs &&
      cache.size === stat.size
    )
      return cache.keys;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, "utf8"));
    } catch {
      throw new Error(`${this.path}: not valid JSON; restore it from a backup or remove it`);
    }
    const result = fileSchema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new Error(`${this.path}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    }
    const keys = new Map(result.data.keys.map((r) => [r.id, r]));
    this.cache = { ino: stat.ino, mtimeMs: stat.mtimeMs, size: stat.size, keys };
    return keys;
  }

  private save(records: Map<string, ApiKeyRecord>): void {
    writePrivateFile(
      this.path,
      `${JSON.stringify({ version: 1, keys: [...records.values()] }, null, 2)}\n`,
    );
    this.cache = undefined;
  }
}
