// Bearer JWT verification: shape, algorithm and type (RFC 9068 at+jwt) checked on the unverified
// header, issuer matched exactly against the trusted list, then jose verifies signature, exp/nbf
// (with the configured skew), iss and aud, and iat is checked not to lie in the future. Every
// failure maps to a short client-facing description and a log reason.
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from "jose";
import { ASYMMETRIC_ALGORITHMS, type Algorithm } from "./config.ts";
import { NoKeyError, type KeySource } from "./key-set.ts";

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface VerifyingIssuer {
  issuer: string;
  algorithms: Algorithm[];
  keys: KeySource;
  /** require the header typ at+jwt (RFC 9068); default true */
  requireAccessTokenType?: boolean;
}

export interface JwtCheck {
  /** the trusted issuer for an exact `iss`, or undefined */
  issuerFor(iss: string): VerifyingIssuer | undefined;
  /** accepted `aud` values: the resource URI of the endpoint called */
  audiences: string[];
  clockSkewSeconds: number;
}

export type JwtOutcome =
  | { ok: true; claims: JWTPayload; issuer: VerifyingIssuer }
  /** `description` goes to the client (error_description); `reason` only to the log */
  | { ok: false; description: string; reason: string };

const refuse = (description: string, reason = description): JwtOutcome => ({
  ok: false,
  description,
  reason,
});

export async function verifyJwt(token: string, check: JwtCheck): Promise<JwtOutcome> {
  if (!COMPACT_JWS.test(token)) return refuse("the token is not a signed JWT");
  let alg: unknown;
  let typ: unknown;
  let iss: unknown;
  try {
    ({ alg, typ } = decodeProtectedHeader(token));
    iss = decodeJwt(token).iss;
  } catch {
    return refuse("the token is not a decodable JWT");
  }
  if (typeof alg !== "string" || !(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg))
    return refuse(
      "the token's algorithm is not accepted",
      `algorithm ${String(alg).slice(0, 20)} refused`,
    );
  if (typeof iss !== "string") return refuse("the token has no issuer");
  const issuer = check.issuerFor(iss);
  if (!issuer)
    return refuse("the token's issuer is not trusted", `untrusted issuer ${iss.slice(0, 200)}`);
  if (!issuer.algorithms.includes(alg as Algorithm))
    return refuse(
      "the token's algorithm is not accepted",
      `algorithm ${alg} not allowed for ${iss}`,
    );
  if (issuer.requireAccessTokenType !== false && !isAccessTokenType(typ))
    return refuse(
      "the token is not a JWT access token (header typ must be at+jwt)",
      `typ ${JSON.stringify(String(typ).slice(0, 40))} refused for ${iss.slice(0, 200)}: RFC 9068 access tokens are typed at+jwt (auth.issuers[].requireAccessTokenType: false accepts untyped tokens from this issuer)`,
    );
  try {
    const { payload } = await jwtVerify(
      token,
      (header, input) => issuer.keys.getKey(header, input),
      {
        issuer: issuer.issuer,
        audience: check.audiences,
        algorithms: issuer.algorithms,
        clockTolerance: check.clockSkewSeconds,
        requiredClaims: ["exp"],
      },
    );
    // jose checks iat only against a maximum age: a token dated ahead is refused here
    const iat = payload.iat;
    if (typeof iat === "number" && iat > Date.now() / 1000 + check.clockSkewSeconds)
      return refuse(
        "the token is issued in the future",
        `iat ${iat} is more than ${check.clockSkewSeconds} s ahead of the gateway's clock`,
      );
    return { ok: true, claims: payload, issuer };
  } catch (e) {
    return describeFailure(e);
  }
}

/** "at+jwt" or "application/at+jwt" (RFC 9068 section 2.1; media types compare case-insensitively). */
function isAccessTokenType(typ: unknown): boolean {
  if (typeof typ !== "string") return false;
  const type = typ.toLowerCase();
  return type === "at+jwt" || type === "application/at+jwt";
}

function describeFailure(e: unknown): JwtOutcome {
  if (e instanceof NoKeyError)
    return refuse("no signing key is available for the token's issuer", e.message);
  if (e instanceof errors.JWTExpired) return refuse("the token is expired");
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === "nbf") return refuse("the token is not valid yet");
    if (e.claim === "aud") return refuse("the token's audience is not this resource");
    if (e.claim === "iat") return refuse("the token is issued in the future");
    return refuse(`the token's ${e.claim} claim is invalid`, `${e.claim}: ${e.reason}`);
  }
  if (e instanceof errors.JWKSNoMatchingKey) return refuse("the token's signing key is unknown");
  if (e instanceof errors.JWSSignatureVerificationFailed)
    return refuse("the token's signature is invalid");
  if (e instanceof errors.JOSEAlgNotAllowed) return refuse("the token's algorithm is not accepted");
  if (e instanceof errors.JWTInvalid || e instanceof errors.JWSInvalid)
    return refuse("the token is malformed", (e as Error).message);
  if (e instanceof errors.JOSEError)
    return refuse("the token cannot be verified", (e as Error).message);
  throw e;
}
