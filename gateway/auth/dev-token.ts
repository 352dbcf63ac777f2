// Development tokens: JWTs signed with a local key (generated on first use, kept in the data dir,
// 0600). Only a --dev gateway trusts this issuer, and only for requests from a loopback address.
import { readFileSync } from "node:fs";
import { join } from "node:path";
// jose's entry point loads all of jose (47 modules); `gatehouse token` needs these few
import type { JWK } from "jose";
import { calculateJwkThumbprint } from "jose/jwk/thumbprint";
import { createLocalJWKSet } from "jose/jwks/local";
import { SignJWT } from "jose/jwt/sign";
import { exportJWK } from "jose/key/export";
import { generateKeyPair } from "jose/key/generate/keypair";
import { importJWK } from "jose/key/import";
import { writePrivateFile } from "./data-file.ts";
import type { KeySource } from "./key-set.ts";

export const DEV_ISSUER = "urn:gatehouse:dev";
export const DEV_KEY_FILE = "dev-signing-key.json";
export const DEV_ALGORITHM = "ES256";
export const MAX_DEV_TOKEN_TTL_SECONDS = 7 * 24 * 3600;

function keyPath(dataDir: string): string {
  return join(dataDir, DEV_KEY_FILE);
}

function readDevKey(dataDir: string): JWK | undefined {
  try {
    return JSON.parse(readFileSync(keyPath(dataDir), "utf8")) as JWK;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`${keyPath(dataDir)}: unreadable dev signing key; remove it to make a new one`);
  }
}

async function devKey(dataDir: string): Promise<JWK> {
  const existing = readDevKey(dataDir);
  if (existing) return existing;
  const { privateKey } = await generateKeyPair(DEV_ALGORITHM, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const key = { ...jwk, alg: DEV_ALGORITHM, kid: await calculateJwkThumbprint(jwk) };
  writePrivateFile(keyPath(dataDir), `${JSON.stringify(key)}\n`);
  return key;
}

export interface DevTokenRequest {
  sub: string;
  /** the gateway's resource URI (the token's audience) */
  audience: string;
  groups?: string[];
  roles?: string[];
  scopes?: string[];
  ttlSeconds: number;
}

export async function signDevToken(dataDir: string, request: DevTokenRequest): Promise<string> {
  if (request.ttlSeconds <= 0 || request.ttlSeconds > MAX_DEV_TOKEN_TTL_SECONDS)
    throw new Error(`the token lifetime must be between 1 s and ${MAX_DEV_TOKEN_TTL_SECONDS} s`);
  const jwk = await devKey(dataDir);
  const claims: Record<string, unknown> = { groups: request.groups ?? [] };
  if (request.roles?.length) claims.roles = request.roles;
  if (request.scopes?.length) claims.scope = request.scopes.join(" ");
  return new SignJWT(claims)
    .setProtectedHeader({ alg: DEV_ALGORITHM, kid: jwk.kid, typ: "at+jwt" })
    .setIssuer(DEV_ISSUER)
    .setSubject(request.sub)
    .setAudience(request.audience)
    .setIssuedAt()
    .setExpirationTime(`${request.ttlSeconds}s`)
    .sign(await importJWK(jwk, DEV_ALGORITHM));
}

/** The dev key's public half, read from the data dir when a dev token arrives (none: no key). */
export class DevKeySource implements KeySource {
  constructor(private readonly dataDir: string) {}

  getKey(...args: Parameters<KeySource["getKey"]>): ReturnType<KeySource["getKey"]> {
    const jwk = readDevKey(this.dataDir);
    const { d: _private, ...publicKey } = jwk ?? {};
    return createLocalJWKSet({ keys: jwk ? [publicKey] : [] })(...args);
  }
}
