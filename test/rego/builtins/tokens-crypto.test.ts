// JWT and crypto host builtins: OPA's results, and the refusals a gateway relies on (wrong key
// types, algorithm confusion, expired tokens, tampered signatures).
import { generateKeyPairSync, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { call, errorOf, lenient } from "./helpers.ts";

const b64url = (s: string | Buffer) => Buffer.from(s).toString("base64url");

function hs256(header: object, payload: object, secret: string): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(createHmac("sha256", secret).update(input).digest())}`;
}

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const rsaJwk = rsa.privateKey.export({ format: "jwk" });
const rsaPublicPem = rsa.publicKey.export({ format: "pem", type: "spki" }) as string;

describe("io.jwt", () => {
  it("decodes header, claims and the signature in hex", () => {
    const token = hs256({ alg: "HS256", typ: "JWT" }, { sub: "alice" }, "s3cret");
    const [header, claims, sig] = call("io.jwt.decode", token) as [object, object, string];
    expect(header).toEqual({ alg: "HS256", typ: "JWT" });
    expect(claims).toEqual({ sub: "alice" });
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(errorOf("io.jwt.decode", "a.b")).toBe(
      "eval_builtin_error: io.jwt.decode: encoded JWT must have 3 sections, found 2",
    );
  });

  it("signs with encode_sign and verifies with the matching key only", () => {
    const token = call("io.jwt.encode_sign", { alg: "RS256" }, { sub: "alice" }, rsaJwk) as string;
    expect(call("io.jwt.verify_rs256", token, rsaPublicPem)).toBe(true);
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const otherPem = other.publicKey.export({ format: "pem", type: "spki" }) as string;
    expect(call("io.jwt.verify_rs256", token, otherPem)).toBe(false);
    // a tampered payload no longer verifies
    const [h, , s] = token.split(".");
    expect(
      call("io.jwt.verify_rs256", `${h}.${b64url('{"sub":"mallory"}')}.${s}`, rsaPublicPem),
    ).toBe(false);
  });

  it("refuses algorithm confusion: an HS256 token signed with the RSA public key", () => {
    // the classic attack: the verifier's public key text used as an HMAC secret
    const forged = hs256({ alg: "HS256" }, { sub: "admin" }, rsaPublicPem);
    const [valid] = call("io.jwt.decode_verify", forged, { cert: rsaPublicPem }) as [boolean];
    expect(valid).toBe(false);
  });

  it("checks exp, nbf, iss and aud in decode_verify", () => {
    const now = 1_700_000_000; // the helpers' clock, in seconds
    const verify = (claims: object, extra: object = {}) =>
      (
        call("io.jwt.decode_verify", hs256({ alg: "HS256" }, claims, "k"), {
          secret: "k",
          ...extra,
        }) as [boolean]
      )[0];
    expect(verify({ exp: now + 60 })).toBe(true);
    expect(verify({ exp: now - 1 })).toBe(false);
    expect(verify({ nbf: now + 60 })).toBe(false);
    expect(verify({ iss: "a" }, { iss: "b" })).toBe(false);
    expect(verify({ aud: "x" })).toBe(false); // a token with an audience needs an aud constraint
    expect(verify({ aud: ["x", "y"] }, { aud: "y" })).toBe(true);
    expect(errorOf("io.jwt.decode_verify", hs256({ alg: "HS256" }, {}, "k"), {})).toBe(
      "eval_builtin_error: io.jwt.decode_verify: no key constraint",
    );
    expect(
      errorOf("io.jwt.decode_verify", hs256({ alg: "HS256" }, {}, "k"), { secret: "k", x: 1 }),
    ).toBe("eval_builtin_error: io.jwt.decode_verify: unknown token validation constraint: x");
  });

  it("refuses JWE tokens and unknown signing algorithms", () => {
    const jwe = `${b64url('{"alg":"RSA-OAEP","enc":"A256GCM"}')}.${b64url("{}")}.x`;
    expect(errorOf("io.jwt.decode", jwe)).toMatch(/JWT is a JWE object, which is not supported/);
    expect(
      errorOf("io.jwt.encode_sign_raw", '{"alg":"none"}', "{}", '{"kty":"oct","k":"AA"}'),
    ).toMatch(/unknown signature algorithm "none"/);
  });
});

describe("crypto", () => {
  it("hashes and HMACs as hex", () => {
    expect(call("crypto.md5", "")).toBe("d41d8cd98f00b204e9800998ecf8427e");
    expect(call("crypto.sha1", "abc")).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect(call("crypto.hmac.sha256", "msg", "key")).toBe(
      createHmac("sha256", "key").update("msg").digest("hex"),
    );
  });

  it("compares MACs without shortcut on length or content", () => {
    expect(call("crypto.hmac.equal", "abc", "abc")).toBe(true);
    expect(call("crypto.hmac.equal", "abc", "abd")).toBe(false);
    expect(call("crypto.hmac.equal", "abc", "abcd")).toBe(false);
  });

  it("reads private keys from PEM as JWKs, and nothing from other text", () => {
    const pem = rsa.privateKey.export({ format: "pem", type: "pkcs1" }) as string;
    const jwk = call("crypto.x509.parse_rsa_private_key", pem) as Record<string, string>;
    expect(jwk.kty).toBe("RSA");
    expect(jwk.n).toBe(rsaJwk.n);
    expect(call("crypto.parse_private_keys", "nope")).toEqual([]);
    expect(call("crypto.parse_private_keys", "")).toBeNull();
    expect(errorOf("crypto.x509.parse_rsa_private_key", "invalid")).toBe(
      "eval_builtin_error: crypto.x509.parse_rsa_private_key: illegal base64 data at input byte 4",
    );
  });

  it("reports malformed certificates as builtin errors (undefined outside strict mode)", () => {
    expect(
      errorOf("crypto.x509.parse_certificates", Buffer.from("junk").toString("base64")),
    ).toMatch(/x509: malformed certificate/);
    expect(lenient["crypto.x509.parse_certificates"]!("junk!")).toBeUndefined();
  });
});
