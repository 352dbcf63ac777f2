// JWS signatures (RFC 7518) over node:crypto: HMAC, RSA PKCS#1 v1.5, RSA-PSS, ECDSA (r||s) and
// Ed25519. Verification never throws: a key of the wrong kind or a malformed signature is false.
import {
  constants,
  createHmac,
  sign as cryptoSign,
  timingSafeEqual,
  verify as cryptoVerify,
  type KeyObject,
} from "node:crypto";

type Family = "HS" | "RS" | "PS" | "ES" | "EdDSA";

interface Algorithm {
  family: Family;
  hash: "sha256" | "sha384" | "sha512" | null;
}

export function algorithmOf(alg: string): Algorithm | undefined {
  if (alg === "EdDSA") return { family: "EdDSA", hash: null };
  const m = /^(HS|RS|PS|ES)(256|384|512)$/.exec(alg);
  if (!m) return undefined;
  return { family: m[1] as Family, hash: `sha${m[2]}` as Algorithm["hash"] };
}

const rsaOptions = (key: KeyObject, family: Family) =>
  family === "PS"
    ? {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_AUTO,
      }
    : { key, padding: constants.RSA_PKCS1_PADDING };

/** True when `signature` is a valid `alg` signature of `data` under `key`. */
export function verifySignature(
  alg: string,
  key: KeyObject,
  data: Buffer,
  signature: Buffer,
): boolean {
  const a = algorithmOf(alg);
  if (!a) return false;
  try {
    switch (a.family) {
      case "HS": {
        if (key.type !== "secret") return false;
        const mac = createHmac(a.hash!, key).update(data).digest();
        return mac.length === signature.length && timingSafeEqual(mac, signature);
      }
      case "RS":
      case "PS":
        if (key.asymmetricKeyType !== "rsa" && key.asymmetricKeyType !== "rsa-pss") return false;
        return cryptoVerify(a.hash, data, rsaOptions(key, a.family), signature);
      case "ES":
        if (key.asymmetricKeyType !== "ec") return false;
        return cryptoVerify(a.hash, data, { key, dsaEncoding: "ieee-p1363" }, signature);
      case "EdDSA":
        if (key.asymmetricKeyType !== "ed25519") return false;
        return cryptoVerify(null, data, key, signature);
    }
  } catch {
    return false;
  }
}

/** The `alg` signature of `data`; throws when the key does not fit the algorithm. */
export function signData(alg: string, key: KeyObject, data: Buffer): Buffer {
  const a = algorithmOf(alg);
  if (!a) throw new Error(`unsupported signature algorithm ${JSON.stringify(alg)}`);
  switch (a.family) {
    case "HS":
      if (key.type !== "secret") throw new Error(`${alg} needs a symmetric ("oct") key`);
      return createHmac(a.hash!, key).update(data).digest();
    case "RS":
    case "PS":
      if (key.type !== "private" || key.asymmetricKeyType !== "rsa")
        throw new Error(`${alg} needs a private RSA key`);
      return cryptoSign(
        a.hash,
        data,
        a.family === "PS"
          ? {
              key,
              padding: constants.RSA_PKCS1_PSS_PADDING,
              saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
            }
          : { key, padding: constants.RSA_PKCS1_PADDING },
      );
    case "ES":
      if (key.type !== "private" || key.asymmetricKeyType !== "ec")
        throw new Error(`${alg} needs a private EC key`);
      return cryptoSign(a.hash, data, { key, dsaEncoding: "ieee-p1363" });
    case "EdDSA":
      if (key.type !== "private" || key.asymmetricKeyType !== "ed25519")
        throw new Error(`${alg} needs a private Ed25519 key`);
      return cryptoSign(null, data, key);
  }
}
