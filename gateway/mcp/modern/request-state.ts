// The `requestState` the gateway hands a 2026-07-28 client when a call needs the client's input
// (multi round-trip requests). It travels through the client, so it is sealed: AES-256-GCM under
// the gateway's state key (the client can neither read nor alter it), bound to the principal and
// to the exact call (the additional data), valid for a short time, and usable once. Any replica
// with the same key can open it; the set of used states is per process (shared with scale-out).
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writePrivateFile } from "../../auth/data-file.ts";
import { ensurePrivateDir } from "../../audit/private-files.ts";

/** the generated state key in the data dir (32 random bytes, base64) */
export const STATE_KEY_FILE = "request-state.key";
const VERSION = "g1";
const DEFAULT_TTL_MS = 10 * 60_000;
/** Sealed states remembered as used (oldest forgotten first; they expire anyway). */
const MAX_USED = 100_000;

export interface SealedCall {
  /** answers the client gave so far, by input key */
  answered: Record<string, Record<string, unknown>>;
  /** the input keys the client was asked for in this round */
  asked: string[];
  /** rounds so far (bounded: a call that keeps asking is stopped) */
  round: number;
}

interface Envelope extends SealedCall {
  id: string;
  exp: number;
}

/** Why a requestState was refused: each is told to the client as invalid params. */
export class RequestStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RequestStateError";
  }
}

/** The state key: configured (base64 of 32 bytes), else the data dir's, made on first use. */
export function loadStateKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured) {
    const key = Buffer.from(configured, "base64");
    if (key.length !== 32)
      throw new Error(
        `the request state key must be 32 bytes in base64 (got ${key.length} bytes); make one with: openssl rand -base64 32`,
      );
    return key;
  }
  const path = join(dataDir, STATE_KEY_FILE);
  if (existsSync(path)) {
    const key = Buffer.from(readFileSync(path, "utf8").trim(), "base64");
    if (key.length !== 32) throw new Error(`${path} does not hold a 32-byte base64 key`);
    return key;
  }
  ensurePrivateDir(dataDir);
  const key = randomBytes(32);
  writePrivateFile(path, `${key.toString("base64")}\n`);
  return key;
}

export class RequestStateSealer {
  private readonly used = new Map<string, number>();
  private loadedKey: Buffer | undefined;

  /** `keyOf` is called on first use: a gateway whose clients never need it touches no key file. */
  constructor(
    private readonly keyOf: () => Buffer,
    private readonly ttlMs = DEFAULT_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  private get key(): Buffer {
    this.loadedKey ??= this.keyOf();
    return this.loadedKey;
  }

  /** The wire text for `call`, bound to `binding` (who asks, and for which exact request). */
  seal(call: SealedCall, binding: string): string {
    const envelope: Envelope = { ...call, id: randomUUID(), exp: this.now() + this.ttlMs };
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(bindingDigest(binding));
    const body = Buffer.concat([cipher.update(JSON.stringify(envelope), "utf8"), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
  }

  /** Opens a state the client echoed; throws RequestStateError when it is not one the gateway
   * sealed for this binding, has expired, or was used already. */
  open(text: string, binding: string): SealedCall {
    const [version, data, extra] = text.split(".");
    if (version !== VERSION || data === undefined || extra !== undefined || text.length > 1_000_000)
      throw new RequestStateError("requestState is not one this gateway issued");
    const raw = Buffer.from(data, "base64url");
    if (raw.length < 29) throw new RequestStateError("requestState is not one this gateway issued");
    let envelope: Envelope;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
      decipher.setAAD(bindingDigest(binding));
      decipher.setAuthTag(raw.subarray(12, 28));
      const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
      envelope = JSON.parse(plain.toString("utf8")) as Envelope;
    } catch {
      // a wrong key, a changed byte, another principal or another request: one answer for all
      throw new RequestStateError(
        "requestState does not verify: it was altered, or issued for another request or principal",
      );
    }
    const now = this.now();
    if (envelope.exp <= now) throw new RequestStateError("requestState has expired; call again");
    this.forgetExpired(now);
    if (this.used.has(envelope.id))
      throw new RequestStateError("requestState was used already; each may be used once");
    if (this.used.size >= MAX_USED) this.used.delete(this.used.keys().next().value!);
    this.used.set(envelope.id, envelope.exp);
    return { answered: envelope.answered, asked: envelope.asked, round: envelope.round };
  }

  private forgetExpired(now: number): void {
    for (const [id, exp] of this.used) {
      if (exp > now) break; // insertion order is expiry order (one ttl for all)
      this.used.delete(id);
    }
  }
}

function bindingDigest(binding: string): Buffer {
  return createHash("sha256").update(binding).digest();
}
