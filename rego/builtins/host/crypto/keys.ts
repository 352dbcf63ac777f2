// Private keys for crypto.parse_private_keys, crypto.x509.parse_rsa_private_key and
// crypto.x509.parse_keypair: PKCS#1, PKCS#8 and SEC 1 PEM blocks, read with node:crypto, shown as
// Go marshals them (rsa.PrivateKey, ecdsa.PrivateKey) or as a JWK.
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { decodeGoBase64 } from "../go-base64.ts";
import { exactInteger } from "../numbers.ts";
import { decodePem, type PemBlock } from "../pem.ts";

const DER_TYPES: Record<string, "pkcs1" | "pkcs8" | "sec1"> = {
  "RSA PRIVATE KEY": "pkcs1",
  "PRIVATE KEY": "pkcs8",
  "EC PRIVATE KEY": "sec1",
};

export function privateKeyOf(block: PemBlock): KeyObject {
  const type = DER_TYPES[block.type];
  if (!type) throw new Error(`unsupported private key type ${block.type}`);
  try {
    return createPrivateKey({ key: block.bytes, format: "der", type });
  } catch (err) {
    throw new Error(`x509: failed to parse private key: ${(err as Error).message}`);
  }
}

/** OPA's getPrivateKeysFromPEMData: base64 of PEM or PEM, every private key block in order. */
export function privateKeysFromPem(text: string): KeyObject[] {
  let pem = text;
  try {
    pem = decodeGoBase64(text, "std", true).toString("latin1");
  } catch {
    // not base64: PEM text
  }
  const keys: KeyObject[] = [];
  let rest = pem;
  for (let next = decodePem(rest); next; next = decodePem(rest)) {
    if (DER_TYPES[next.block.type]) keys.push(privateKeyOf(next.block));
    rest = next.rest;
  }
  return keys;
}

const numberOf = (b64url: string | undefined) =>
  exactInteger(
    b64url ? BigInt(`0x${Buffer.from(b64url, "base64url").toString("hex") || "0"}`) : 0n,
  );

/** A private key as Go's encoding/json shows *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519. */
export function privateKeyJson(key: KeyObject): unknown {
  const jwk = key.export({ format: "jwk" }) as Record<string, string>;
  if (jwk.kty === "RSA") {
    return {
      N: numberOf(jwk.n),
      E: numberOf(jwk.e),
      D: numberOf(jwk.d),
      Primes: [numberOf(jwk.p), numberOf(jwk.q)],
      Precomputed: {
        Dp: numberOf(jwk.dp),
        Dq: numberOf(jwk.dq),
        Qinv: numberOf(jwk.qi),
        CRTValues: [],
      },
    };
  }
  if (jwk.kty === "EC") {
    return { Curve: { Name: jwk.crv }, X: numberOf(jwk.x), Y: numberOf(jwk.y), D: numberOf(jwk.d) };
  }
  if (jwk.kty === "OKP") {
    return Buffer.concat([
      Buffer.from(jwk.d!, "base64url"),
      Buffer.from(jwk.x!, "base64url"),
    ]).toString("base64");
  }
  return null;
}

/** The key as a JWK (RFC 7517 fields). */
export const privateKeyJwk = (key: KeyObject): unknown => key.export({ format: "jwk" });

/** True when the private key belongs to the public key (same SPKI). */
export function keysMatch(privateKey: KeyObject, publicKey: KeyObject): boolean {
  const a = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  const b = publicKey.export({ format: "der", type: "spki" });
  return a.equals(b);
}
