// Keys for OPA's JWT builtins: a PEM certificate or public key, a JWK or a JWK set (verification),
// and the first key of a JWK (set) for signing.
import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  X509Certificate,
  type KeyObject,
} from "node:crypto";
import { builtinError } from "../errors.ts";
import { decodePem } from "../pem.ts";
import { isObject, type JsonObject } from "../values.ts";

/** The algorithms OPA's JWT builtins know. */
export const TOKEN_ALGORITHMS: ReadonlySet<string> = new Set([
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "HS256",
  "HS384",
  "HS512",
  "EdDSA",
]);

export interface VerificationKey {
  key: KeyObject;
  /** the JWK's `alg`, "" when it has none (PEM keys never have one) */
  alg: string;
  kid: string;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** OPA's getKeysFromCertOrJWK: a PEM block if there is one, else a JWK (set). */
export function keysFromCertOrJwk(text: string): VerificationKey[] {
  const pem = decodePem(text);
  if (pem) {
    if (pem.rest.length > 0) throw builtinError("extra data after a PEM certificate block");
    if (pem.block.type === "CERTIFICATE") {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(pem.block.bytes);
      } catch (err) {
        throw builtinError(`failed to parse a PEM certificate: ${message(err)}`);
      }
      return [{ key: cert.publicKey, alg: "", kid: "" }];
    }
    if (pem.block.type === "PUBLIC KEY") {
      try {
        const key = createPublicKey({ key: pem.block.bytes, format: "der", type: "spki" });
        return [{ key, alg: "", kid: "" }];
      } catch (err) {
        throw builtinError(`failed to parse a PEM public key: ${message(err)}`);
      }
    }
    throw builtinError("failed to extract a Key from the PEM certificate");
  }
  let jwks: JsonObject[];
  try {
    jwks = parseJwkSet(text);
  } catch (err) {
    throw builtinError(`failed to parse a JWK key (set): ${message(err)}`);
  }
  const keys: VerificationKey[] = [];
  for (const jwk of jwks) {
    const alg = typeof jwk.alg === "string" ? jwk.alg : "";
    if (alg !== "" && !TOKEN_ALGORITHMS.has(alg)) continue; // unknown algorithms are skipped
    let key: KeyObject;
    try {
      key = verificationKeyOf(jwk);
    } catch (err) {
      throw builtinError(`failed to parse a JWK key (set): ${message(err)}`);
    }
    keys.push({ key, alg, kid: typeof jwk.kid === "string" ? jwk.kid : "" });
  }
  return keys;
}

/** A JWK object, or the `keys` of a JWK set. */
export function parseJwkSet(text: string): JsonObject[] {
  const parsed: unknown = JSON.parse(text);
  if (!isObject(parsed)) throw new Error("a JWK must be a JSON object");
  if (Array.isArray(parsed.keys)) {
    return parsed.keys.map((k) => {
      if (!isObject(k)) throw new Error("each key of a JWK set must be an object");
      return k;
    });
  }
  if (typeof parsed.kty !== "string") throw new Error(`invalid key type: missing "kty"`);
  return [parsed];
}

function verificationKeyOf(jwk: JsonObject): KeyObject {
  if (jwk.kty === "oct") return secretOf(jwk);
  if (jwk.kty !== "RSA" && jwk.kty !== "EC" && jwk.kty !== "OKP") {
    throw new Error(`invalid key type: ${String(jwk.kty)}`);
  }
  if (typeof jwk.d === "string")
    return createPublicKey(createPrivateKey({ key: jwk, format: "jwk" }));
  return createPublicKey({ key: jwk, format: "jwk" });
}

function secretOf(jwk: JsonObject): KeyObject {
  if (typeof jwk.k !== "string") throw new Error(`an "oct" JWK needs "k"`);
  return createSecretKey(Buffer.from(jwk.k, "base64url"));
}

/** The signing key: the first key of a JWK (set), private for asymmetric algorithms. */
export function signingKeyOf(text: string): KeyObject {
  const keys = parseJwkSet(text);
  if (keys.length === 0) throw new Error("no keys found in JWK set");
  const jwk = keys[0]!;
  if (jwk.kty === "oct") return secretOf(jwk);
  if (typeof jwk.d === "string") return createPrivateKey({ key: jwk, format: "jwk" });
  return createPublicKey({ key: jwk, format: "jwk" });
}
