// The Ed25519 key that signs audit checkpoints, and the public keys `audit verify` trusts.
// The private key comes from the config (`audit.signingKey`: PEM text or a file path) or is
// generated once into the data dir (0600). Its public key is written next to it, named by key id,
// so a verifier finds every key the gateway has signed with.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writePrivateFile } from "../auth/data-file.ts";
import { ensurePrivateDir, tightenFiles } from "./private-files.ts";

/** the generated private key in the data dir */
export const SIGNING_KEY_FILE = "audit-signing-key.pem";
const PUBLIC_KEY_FILE = /^audit-signing-key\.([0-9a-f]{16})\.pub\.pem$/;

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** first 16 hex digits of the SHA-256 of the public key (SPKI DER) */
  keyId: string;
}

/** A key that cannot be used for signing or verifying, with where it came from. */
export class SigningKeyError extends Error {
  override name = "SigningKeyError";
}

export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("hex").slice(0, 16);
}

export function publicKeyPath(dataDir: string, keyId: string): string {
  return join(dataDir, `audit-signing-key.${keyId}.pub.pem`);
}

function isPem(text: string): boolean {
  return text.trimStart().startsWith("-----BEGIN");
}

function requireEd25519(key: KeyObject, source: string): void {
  if (key.asymmetricKeyType !== "ed25519") {
    throw new SigningKeyError(
      `${source}: an Ed25519 key is required, got ${key.asymmetricKeyType ?? key.type}; generate one with: openssl genpkey -algorithm ed25519`,
    );
  }
}

/** The private key a PEM text or a file holding one names (never echoing the key itself). */
function readPrivateKey(textOrPath: string, source: string): KeyObject {
  let pem = textOrPath;
  let where = source;
  if (!isPem(textOrPath)) {
    where = `${source} (${textOrPath})`;
    try {
      pem = readFileSync(textOrPath, "utf8");
    } catch (e) {
      throw new SigningKeyError(`${where}: cannot read: ${(e as Error).message}`);
    }
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw new SigningKeyError(`${where}: not a PEM private key: ${(e as Error).message}`);
  }
  requireEd25519(key, where);
  return key;
}

function signingKeyOf(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/**
 * The gateway's signing key: `configured` (PEM text or path, from audit.signingKey or
 * GATEHOUSE_AUDIT_SIGNING_KEY) or `<dataDir>/audit-signing-key.pem`, generated on first use.
 * Its public key is (re)written to `<dataDir>/audit-signing-key.<key id>.pub.pem`.
 */
export function loadSigningKey(configured: string | null, dataDir: string): SigningKey {
  let key: SigningKey;
  if (configured !== null) {
    key = signingKeyOf(readPrivateKey(configured, "audit.signingKey"));
  } else {
    const path = join(dataDir, SIGNING_KEY_FILE);
    if (existsSync(path)) {
      tightenFiles([path]);
      key = signingKeyOf(readPrivateKey(path, "audit signing key"));
    } else {
      const { privateKey } = generateKeyPairSync("ed25519");
      writePrivateFile(path, privateKey.export({ type: "pkcs8", format: "pem" }) as string);
      key = signingKeyOf(privateKey);
    }
  }
  ensurePrivateDir(dataDir);
  const publicPath = publicKeyPath(dataDir, key.keyId);
  if (!existsSync(publicPath)) {
    writePrivateFile(publicPath, key.publicKey.export({ type: "spki", format: "pem" }) as string);
  } else {
    tightenFiles([publicPath]);
  }
  return key;
}

/** The public keys checkpoints may be signed with, by key id. */
export class TrustedKeys {
  private readonly byId = new Map<string, KeyObject>();

  constructor(keys: readonly KeyObject[]) {
    for (const key of keys) this.byId.set(keyIdOf(key), key);
  }

  get(keyId: string): KeyObject | undefined {
    return this.byId.get(keyId);
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }

  get size(): number {
    return this.byId.size;
  }
}

/** A public key from a PEM file (a private key file gives its public half). */
export function readPublicKey(path: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(path, "utf8");
  } catch (e) {
    throw new SigningKeyError(`public key ${path}: cannot read: ${(e as Error).message}`);
  }
  let key: KeyObject;
  try {
    key = /PRIVATE KEY-----/.test(pem)
      ? createPublicKey(createPrivateKey(pem))
      : createPublicKey(pem);
  } catch (e) {
    throw new SigningKeyError(`public key ${path}: not a PEM key: ${(e as Error).message}`);
  }
  requireEd25519(key, `public key ${path}`);
  return key;
}

/** The public key files a gateway wrote into `dataDir` (none when it has no such folder). */
export function publicKeyFilesIn(dataDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dataDir);
  } catch {
    return [];
  }
  return names
    .filter((name) => PUBLIC_KEY_FILE.test(name))
    .sort()
    .map((name) => join(dataDir, name));
}

/** The public half of a configured signing key (PEM text or path), for `audit verify`. */
export function configuredPublicKey(configured: string): KeyObject {
  return createPublicKey(readPrivateKey(configured, "audit.signingKey"));
}
