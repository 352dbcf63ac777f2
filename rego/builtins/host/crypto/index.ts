// crypto.*: digests, HMACs, X.509 certificates, certificate requests and private keys, with OPA's
// input rules (PEM, base64 of PEM, base64 of DER) and error wording.
import { createHash, createHmac, timingSafeEqual, X509Certificate } from "node:crypto";
import { builtinError, operandTypeError, stringOperand } from "../errors.ts";
import { decodeGoBase64 } from "../go-base64.ts";
import { integerFromNumber } from "../numbers.ts";
import { decodePem } from "../pem.ts";
import type { HostBuiltinTable, HostContext } from "../types.ts";
import { isNumber, isObject, numberText, sortedKeys } from "../values.ts";
import { verifyChain, type VerifyOptions } from "./chain.ts";
import {
  keysMatch,
  privateKeyJson,
  privateKeyJwk,
  privateKeyOf,
  privateKeysFromPem,
} from "./keys.ts";
import {
  parseCertificateRequest,
  parseCertificates,
  withUriStrings,
  type ParsedCertificate,
} from "./x509.ts";

const fail = (err: unknown): never => {
  throw builtinError(err instanceof Error ? err.message : String(err));
};

/** Go's base64.StdEncoding.DecodeString, failing as a builtin error. */
function base64Std(text: string): Buffer {
  try {
    return decodeGoBase64(text, "std", true);
  } catch (err) {
    return fail(err);
  }
}

const startsWithPem = (b: Buffer | string) =>
  (typeof b === "string" ? b : b.toString("latin1")).startsWith("-----BEGIN");

/** OPA's getX509CertsFromString: PEM, base64 of PEM, or base64 of DER. */
function certificatesFrom(text: string): ParsedCertificate[] {
  let bytes: Buffer;
  if (startsWithPem(text)) {
    bytes = Buffer.from(text, "utf8");
  } else {
    bytes = base64Std(text);
    if (!startsWithPem(bytes)) {
      try {
        return parseCertificates(bytes);
      } catch (err) {
        return fail(err);
      }
    }
  }
  const ders: Buffer[] = [];
  let rest = bytes.toString("latin1");
  for (let next = decodePem(rest); next; next = decodePem(rest)) {
    if (next.block.type !== "CERTIFICATE") {
      fail(`PEM block type is '${next.block.type}', expected CERTIFICATE`);
    }
    ders.push(next.block.bytes);
    rest = next.rest;
  }
  try {
    return parseCertificates(Buffer.concat(ders));
  } catch (err) {
    return fail(err);
  }
}

function hmac(algorithm: string) {
  return ([message, key]: unknown[]) => {
    const m = stringOperand(message, 1);
    const k = stringOperand(key, 2);
    return createHmac(algorithm, Buffer.from(k, "utf8")).update(m, "utf8").digest("hex");
  };
}

const digest =
  (algorithm: string) =>
  ([value]: unknown[]) =>
    createHash(algorithm).update(stringOperand(value, 1), "utf8").digest("hex");

const KEY_USAGE_NAMES: Record<string, number> = {
  KeyUsageAny: 0,
  KeyUsageServerAuth: 1,
  KeyUsageClientAuth: 2,
  KeyUsageCodeSigning: 3,
  KeyUsageEmailProtection: 4,
  KeyUsageIPSECEndSystem: 5,
  KeyUsageIPSECTunnel: 6,
  KeyUsageIPSECUser: 7,
  KeyUsageTimeStamping: 8,
  KeyUsageOCSPSigning: 9,
  KeyUsageMicrosoftServerGatedCrypto: 10,
  KeyUsageNetscapeServerGatedCrypto: 11,
  KeyUsageMicrosoftCommercialCodeSigning: 12,
  KeyUsageMicrosoftKernelCodeSigning: 13,
};

function verifyOptions(value: unknown, ctx: HostContext): VerifyOptions {
  if (!isObject(value)) throw operandTypeError(2, value, "object");
  const options: VerifyOptions = { currentTime: ctx.now(), keyUsages: [] };
  for (const key of sortedKeys(value)) {
    const v = value[key];
    switch (key) {
      case "DNSName":
        if (typeof v !== "string") throw builtinError("'DNSName' should be a string");
        options.dnsName = v.replace(/^"+|"+$/g, "");
        break;
      case "CurrentTime": {
        if (!isNumber(v)) throw builtinError("'CurrentTime' should be a number");
        const ns = integerFromNumber(Number(numberText(v)));
        if (ns === undefined) throw builtinError("'CurrentTime' should be a valid int64 number");
        options.currentTime = ns;
        break;
      }
      case "MaxConstraintComparisons":
        if (!isNumber(v)) throw builtinError("'MaxConstraintComparisons' should be a number");
        break; // name constraints are not checked (see chain.ts)
      case "KeyUsages": {
        if (!Array.isArray(v)) throw builtinError("'KeyUsages' should be an Array or Set");
        const invalid: string[] = [];
        for (const u of v) {
          if (typeof u !== "string") continue;
          const name = u.replace(/^"+|"+$/g, "");
          if (name in KEY_USAGE_NAMES) options.keyUsages.push(KEY_USAGE_NAMES[name]!);
          else invalid.push(name);
        }
        if (invalid.length > 0)
          throw builtinError(`invalid entries for 'KeyUsages' found: [${invalid.join(" ")}]`);
        break;
      }
      default:
        throw builtinError("invalid key option");
    }
  }
  return options;
}

function parseAndVerify(text: unknown, options: VerifyOptions, uriStrings: boolean): unknown[] {
  let certs: ParsedCertificate[];
  try {
    certs = certificatesFrom(stringOperand(text, 1));
  } catch (err) {
    if ((err as { code?: string }).code === "eval_type_error") throw err;
    return [false, []];
  }
  if (certs.length < 2) {
    return [false, []]; // OPA: "must supply at least two certificates to be able to verify"
  }
  const chain = verifyChain(certs, options);
  if (!chain) return [false, []];
  return [true, chain.map((c) => (uriStrings ? withUriStrings(c) : c.json))];
}

/** OPA's getTLSx509KeyPairFromString: PEM or base64 (of PEM or DER) certificate and key. */
function keyPair(certText: string, keyText: string): unknown {
  const asBytes = (text: string): Buffer =>
    text.startsWith("-----BEGIN ") ? Buffer.from(text, "utf8") : base64Std(text);
  const certBytes = asBytes(certText);
  const keyBytes = asBytes(keyText);
  let certs: ParsedCertificate[];
  try {
    certs = startsWithPem(certBytes)
      ? certificatesFromPemBlocks(certBytes.toString("latin1"))
      : parseCertificates(certBytes);
  } catch (err) {
    return fail(err);
  }
  if (certs.length === 0) fail("tls: failed to find any PEM data in certificate input");
  const keyBlock = startsWithPem(keyBytes)
    ? firstPrivateKeyBlock(keyBytes.toString("latin1"))
    : { type: "PRIVATE KEY", headers: {}, bytes: keyBytes };
  let key;
  try {
    key = privateKeyOf(keyBlock);
  } catch (err) {
    return fail(`tls: failed to parse private key: ${(err as Error).message}`);
  }
  if (!keysMatch(key, new X509Certificate(certs[0]!.der).publicKey)) {
    fail("tls: private key does not match public key");
  }
  return {
    Certificate: certs.map((c) => c.der.toString("base64")),
    PrivateKey: privateKeyJson(key),
    SupportedSignatureAlgorithms: null,
    OCSPStaple: null,
    SignedCertificateTimestamps: null,
    Leaf: certs[0]!.json,
  };
}

function certificatesFromPemBlocks(text: string): ParsedCertificate[] {
  const ders: Buffer[] = [];
  let rest = text;
  for (let next = decodePem(rest); next; next = decodePem(rest)) {
    if (next.block.type === "CERTIFICATE") ders.push(next.block.bytes);
    rest = next.rest;
  }
  return ders.flatMap((der) => parseCertificates(der));
}

function firstPrivateKeyBlock(text: string) {
  let rest = text;
  for (let next = decodePem(rest); next; next = decodePem(rest)) {
    if (next.block.type === "PRIVATE KEY" || next.block.type.endsWith(" PRIVATE KEY")) {
      return next.block;
    }
    rest = next.rest;
  }
  return fail("tls: failed to find any PEM data in key input");
}

function csr([value]: unknown[]): unknown {
  const text = stringOperand(value, 1);
  let bytes = text.startsWith("-----BEGIN CERTIFICATE REQUEST-----")
    ? Buffer.from(text, "utf8")
    : base64Std(text);
  const pem = decodePem(bytes.toString("latin1"));
  if (pem && pem.block.type !== "CERTIFICATE REQUEST") {
    fail("invalid PEM-encoded certificate signing request");
  }
  if (pem) bytes = pem.block.bytes;
  try {
    return parseCertificateRequest(bytes);
  } catch (err) {
    return fail(err);
  }
}

function rsaPrivateKeyJwk([value]: unknown[]): unknown {
  let text = stringOperand(value, 1);
  if (text === "") fail("input PEM data was empty");
  if (!text.startsWith("-----BEGIN")) text = base64Std(text).toString("latin1");
  let keys;
  try {
    keys = privateKeysFromPem(text);
  } catch (err) {
    return fail(err);
  }
  return keys.length === 0 ? null : privateKeyJwk(keys[0]!);
}

function privateKeys([value]: unknown[]): unknown {
  const text = stringOperand(value, 1);
  if (text === "") return null;
  try {
    return privateKeysFromPem(text).map(privateKeyJson);
  } catch (err) {
    return fail(err);
  }
}

export const cryptoBuiltins: HostBuiltinTable = {
  "crypto.md5": digest("md5"),
  "crypto.sha1": digest("sha1"),
  "crypto.sha256": digest("sha256"),
  "crypto.hmac.md5": hmac("md5"),
  "crypto.hmac.sha1": hmac("sha1"),
  "crypto.hmac.sha256": hmac("sha256"),
  "crypto.hmac.sha512": hmac("sha512"),
  // constant time in the length of the MACs
  "crypto.hmac.equal": ([a, b]) => {
    const x = Buffer.from(stringOperand(a, 1), "utf8");
    const y = Buffer.from(stringOperand(b, 2), "utf8");
    return x.length === y.length && timingSafeEqual(x, y);
  },
  // Go's nil slice: no certificate at all is null
  "crypto.x509.parse_certificates": ([value]) => {
    const certs = certificatesFrom(stringOperand(value, 1));
    return certs.length === 0 ? null : certs.map(withUriStrings);
  },
  "crypto.x509.parse_and_verify_certificates": ([value], ctx) =>
    parseAndVerify(value, { currentTime: ctx.now(), keyUsages: [] }, true),
  "crypto.x509.parse_and_verify_certificates_with_options": ([value, options], ctx) => {
    stringOperand(value, 1);
    return parseAndVerify(value, verifyOptions(options, ctx), false);
  },
  "crypto.x509.parse_certificate_request": csr,
  "crypto.x509.parse_keypair": ([cert, key]) =>
    keyPair(stringOperand(cert, 1), stringOperand(key, 1)),
  "crypto.x509.parse_rsa_private_key": rsaPrivateKeyJwk,
  "crypto.parse_private_keys": privateKeys,
};
