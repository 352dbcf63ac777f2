// io.jwt.*: decoding, signature verification (PEM certificates and keys, JWKs, secrets),
// constrained verification (decode_verify) and signing (encode_sign, encode_sign_raw), with OPA's
// rules and error messages. Only JWS compact serialisation; JWE tokens are refused.
import { createSecretKey, type KeyObject } from "node:crypto";
import { builtinError, operandTypeError, stringOperand } from "../errors.ts";
import { Base64Error, decodeBase64Url } from "../go-base64.ts";
import type { HostBuiltinTable, HostContext } from "../types.ts";
import {
  compareValues,
  goJsonError,
  isNumber,
  isObject,
  parseJsonExact,
  regoText,
  sortedKeys,
  type JsonObject,
} from "../values.ts";
import { signData, verifySignature } from "./jws.ts";
import { keysFromCertOrJwk, signingKeyOf, TOKEN_ALGORITHMS, type VerificationKey } from "./keys.ts";

interface Token {
  header: string;
  payload: string;
  signature: string;
}

function splitToken(value: unknown): Token {
  const text = stringOperand(value, 1);
  if (!text.includes(".")) throw builtinError("encoded JWT had no period separators");
  const parts = text.split(".");
  if (parts.length !== 3)
    throw builtinError(`encoded JWT must have 3 sections, found ${parts.length}`);
  return { header: parts[0]!, payload: parts[1]!, signature: parts[2]! };
}

function base64Url(text: string, what: string): Buffer {
  try {
    return decodeBase64Url(text);
  } catch (err) {
    const reason = err instanceof Base64Error ? err.message : (err as Error).message;
    throw builtinError(what ? `${what} had invalid encoding: ${reason}` : reason);
  }
}

/** Go's json.Unmarshal into an object (the last of duplicate keys wins, as with JSON.parse). */
function jsonObject(bytes: Buffer, what: string): JsonObject {
  const text = bytes.toString("utf8");
  let value: unknown;
  try {
    value = parseJsonExact(text);
  } catch {
    throw builtinError(`${what}invalid JSON: ${goJsonError(text)}`);
  }
  if (!isObject(value)) throw builtinError(`${what}decoded JSON type was not an Object`);
  return value;
}

function decodeHeader(token: Token): JsonObject {
  const header = jsonObject(base64Url(token.header, "JWT header"), "bad JWT header: ");
  if ("enc" in header) throw builtinError("JWT is a JWE object, which is not supported");
  return header;
}

const signatureOf = (token: Token): Buffer => base64Url(token.signature, "");
const signingInput = (token: Token): Buffer =>
  Buffer.from(`${token.header}.${token.payload}`, "utf8");

function decode(value: unknown): unknown[] {
  const token = splitToken(value);
  const header = decodeHeader(token);
  let payload = base64Url(token.payload, "JWT payload");
  if (header.cty === "JWT") {
    // a nested token: jwt.io quotes the inner token, so quotes are trimmed first
    return decode(payload.toString("utf8").replace(/^["']+|["']+$/g, ""));
  }
  const claims = jsonObject(payload, "");
  const signature = base64Url(token.signature, "JWT signature");
  return [header, claims, signature.toString("hex")];
}

/** The key among `keys` to try first (same kid), then the others whose alg fits. */
function verifyWithKeys(
  keys: VerificationKey[],
  kid: string,
  alg: string,
  check: (key: VerificationKey) => boolean,
): boolean {
  if (kid !== "") {
    const byKid = keys.find((k) => k.kid === kid);
    if (byKid) return check(byKid);
  }
  return keys.some((k) => (k.alg === "" || k.alg === alg) && check(k));
}

/** io.jwt.verify_<alg> for asymmetric algorithms: a PEM certificate/key or a JWK (set). */
const verifyAsymmetric =
  (alg: string) =>
  ([jwt, cert]: unknown[]): boolean => {
    const token = splitToken(jwt);
    const keys = keysFromCertOrJwk(stringOperand(cert, 2));
    const signature = signatureOf(token);
    const header = parseHeader(decodeHeader(token));
    const data = signingInput(token);
    return verifyWithKeys(keys, header.kid, header.alg, (k) =>
      verifySignature(alg, k.key, data, signature),
    );
  };

/** io.jwt.verify_hs<n>: the secret is the key's bytes. */
const verifyHmac =
  (alg: string) =>
  ([jwt, secret]: unknown[]): boolean => {
    stringOperand(jwt, 1);
    const key = Buffer.from(stringOperand(secret, 2), "utf8");
    const token = splitToken(jwt);
    const signature = signatureOf(token);
    return verifyWithSecret(alg, key, signingInput(token), signature);
  };

function verifyWithSecret(alg: string, secret: Buffer, data: Buffer, signature: Buffer): boolean {
  return verifySignature(alg, createSecretKey(secret), data, signature);
}

interface Header {
  alg: string;
  kid: string;
  cty: string;
  crit: Set<string>;
  unknown: string[];
}

/** OPA's JOSE header check: alg/kid/typ/cty strings, crit a non-empty list of strings. */
function parseHeader(header: JsonObject): Header {
  const out: Header = { alg: "", kid: "", cty: "", crit: new Set(), unknown: [] };
  for (const name of sortedKeys(header)) {
    const value = header[name];
    if (name === "alg" || name === "kid" || name === "typ" || name === "cty") {
      if (typeof value !== "string") throw builtinError(`${name}: must be a string`);
      if (name !== "typ") out[name] = value;
    } else if (name === "crit") {
      if (!Array.isArray(value)) throw builtinError("crit: must be a list");
      for (const v of value) {
        if (typeof v !== "string") break;
        out.crit.add(v);
      }
      if (out.crit.size === 0) throw builtinError("crit: must be a nonempty list");
    } else {
      out.unknown.push(name);
    }
  }
  return out;
}

const headerValid = (h: Header) => h.alg !== "" && !h.unknown.some((u) => h.crit.has(u));

interface Constraints {
  secret: string;
  alg: string;
  iss: string;
  aud: string;
  keys?: VerificationKey[];
  /** nanoseconds since the epoch, as a float (OPA's float64) */
  time: number;
}

function timeConstraint(value: unknown): number {
  if (!isNumber(value)) throw builtinError("token time constraint: must be a number");
  const t = Number(typeof value === "number" ? value : (value as { rawJSON: string }).rawJSON);
  if (t < 0) throw builtinError("token time constraint: must not be negative");
  return t;
}

function parseConstraints(value: unknown, ctx: HostContext): Constraints {
  if (!isObject(value)) throw operandTypeError(2, value, "object");
  const c: Constraints = { secret: "", alg: "", iss: "", aud: "", time: -1 };
  for (const name of sortedKeys(value)) {
    const v = value[name];
    switch (name) {
      case "cert":
        if (typeof v !== "string") throw builtinError("cert constraint: must be a string");
        c.keys = keysFromCertOrJwk(v);
        break;
      case "secret":
      case "alg":
      case "iss":
      case "aud":
        if (typeof v !== "string") throw builtinError(`${name} constraint: must be a string`);
        c[name] = v;
        break;
      case "time":
        c.time = timeConstraint(v);
        break;
      default:
        throw builtinError(`unknown token validation constraint: ${name}`);
    }
  }
  if (c.time === -1) c.time = Number(ctx.now());
  const keyConstraints = (c.keys ? 1 : 0) + (c.secret !== "" ? 1 : 0);
  if (keyConstraints > 1) throw builtinError("duplicate key constraints");
  if (keyConstraints < 1) throw builtinError("no key constraint");
  return c;
}

function signatureVerified(c: Constraints, h: Header, data: Buffer, signature: Buffer): boolean {
  if (c.keys) {
    return verifyWithKeys(c.keys, h.kid, h.alg, (k) =>
      verifySignature(h.alg, k.key, data, signature),
    );
  }
  return verifyWithSecret(h.alg, Buffer.from(c.secret, "utf8"), data, signature);
}

function validAudience(aud: unknown, wanted: string): boolean {
  if (typeof aud === "string") return aud === wanted;
  return Array.isArray(aud) && aud.some((a) => a === wanted);
}

const UNVERIFIED = [false, {}, {}];

function decodeVerify([jwt, constraintsValue]: unknown[], ctx: HostContext): unknown[] {
  const c = parseConstraints(constraintsValue, ctx);
  let current: unknown = jwt;
  let header: JsonObject;
  let payloadBytes: Buffer;
  for (;;) {
    const token = splitToken(current);
    header = decodeHeader(token);
    const h = parseHeader(header);
    if (!headerValid(h)) return UNVERIFIED;
    if (c.alg !== "" && c.alg !== h.alg) return UNVERIFIED;
    const signature = signatureOf(token);
    if (!signatureVerified(c, h, signingInput(token), signature)) return UNVERIFIED;
    payloadBytes = base64Url(token.payload, "JWT payload");
    if (h.cty.toUpperCase() !== "JWT") break;
    current = payloadBytes.toString("utf8"); // nested token: verify the inner one too
  }
  const payload = jsonObject(payloadBytes, "");
  if (c.iss !== "" && payload.iss !== c.iss) return UNVERIFIED;
  if ("aud" in payload) {
    if (!validAudience(payload.aud, c.aud)) return UNVERIFIED;
  } else if (c.aud !== "") {
    return UNVERIFIED;
  }
  const nowSeconds = c.time / 1e9;
  if ("exp" in payload) {
    if (!isNumber(payload.exp)) throw builtinError("exp value must be a number");
    if (compareValues(nowSeconds, payload.exp) !== -1) return UNVERIFIED;
  }
  if ("nbf" in payload) {
    if (!isNumber(payload.nbf)) throw builtinError("nbf value must be a number");
    if (compareValues(nowSeconds, payload.nbf) === -1) return UNVERIFIED;
  }
  return [true, header, payload];
}

function encodeSign(headerText: string, payloadText: string, keyText: string): string {
  let key: KeyObject;
  try {
    key = signingKeyOf(keyText);
  } catch (err) {
    throw builtinError((err as Error).message);
  }
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch {
    throw builtinError(goJsonError(headerText));
  }
  const alg = isObject(header) ? header.alg : undefined;
  if (typeof alg !== "string") throw builtinError("unsupported signature algorithm");
  if (!TOKEN_ALGORITHMS.has(alg))
    throw builtinError(`unknown signature algorithm ${JSON.stringify(alg)}`);
  const typ = isObject(header) ? header.typ : undefined;
  if ((typeof typ !== "string" || typ === "JWT") && goJsonError(payloadText) !== "") {
    throw builtinError("type is JWT but payload is not JSON");
  }
  const input = `${Buffer.from(headerText).toString("base64url")}.${Buffer.from(payloadText).toString("base64url")}`;
  let signature: Buffer;
  try {
    signature = signData(alg, key, Buffer.from(input));
  } catch (err) {
    throw builtinError((err as Error).message);
  }
  return `${input}.${signature.toString("base64url")}`;
}

function objectOperand(value: unknown, pos: number): JsonObject {
  if (!isObject(value)) throw operandTypeError(pos, value, "object");
  return value;
}

export const jwtBuiltins: HostBuiltinTable = {
  "io.jwt.decode": ([jwt]) => decode(jwt),
  "io.jwt.decode_verify": decodeVerify,
  "io.jwt.encode_sign_raw": ([header, payload, key]) => {
    const k = stringOperand(key, 3);
    return encodeSign(stringOperand(header, 1), stringOperand(payload, 2), k);
  },
  // the objects are serialised as Rego prints them (`{"alg": "HS256"}`), as OPA does
  "io.jwt.encode_sign": ([header, payload, key]) =>
    encodeSign(
      regoText(objectOperand(header, 1)),
      regoText(objectOperand(payload, 2)),
      JSON.stringify(objectOperand(key, 3)),
    ),
  ...Object.fromEntries(
    ["RS", "PS", "ES"].flatMap((family) =>
      ["256", "384", "512"].map((bits) => [
        `io.jwt.verify_${family.toLowerCase()}${bits}`,
        verifyAsymmetric(`${family}${bits}`),
      ]),
    ),
  ),
  "io.jwt.verify_eddsa": verifyAsymmetric("EdDSA"),
  "io.jwt.verify_hs256": verifyHmac("HS256"),
  "io.jwt.verify_hs384": verifyHmac("HS384"),
  "io.jwt.verify_hs512": verifyHmac("HS512"),
};
