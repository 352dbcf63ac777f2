// Bearer JWT verification: shape and algorithm checked on the unverified header, issuer matched
// exactly against the trusted list, then jose verifies signature, exp/nbf (with the configured
// skew), iss and aud. Every failure maps to a short client-facing description and a log reason.
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from "jose";
import { ASYMMETRIC_ALGORITHMS, type Algorithm } from "./config.ts";
import { NoKeyError, type KeySource } from "./key-set.ts";

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface VerifyingIssuer {
  issuer: string;
  algorithms: Algorithm[];
  keys: KeySource;
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
  let iss: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
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
    return { ok: true, claims: payload, issuer };
  } catch (e) {
    return describeFailure(e);
  }
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
