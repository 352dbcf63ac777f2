import { describe, expect, it } from "vitest";
import {
  DEFAULT_SECRET_PATTERNS,
  REDACTED,
  Redactor,
  SecretPatternError,
  redactPaths,
} from "../../../gateway/redaction.ts";

const redactor = new Redactor();

describe("redactText with the default patterns", () => {
  const secrets: [string, string][] = [
    ["bearer token", "Authorization: Bearer abcDEF123456.xyz-_~+/="],
    ["JWT", "token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ here"],
    ["OpenAI-style key", "key=sk-proj-ABCDEFGHIJKLMNOPQRSTUV"],
    ["GitHub token", "use ghp_0123456789abcdefghijABCDEFGHIJ0123 please"],
    ["GitHub fine-grained token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnop"],
    ["AWS access key id", "AKIAIOSFODNN7EXAMPLE"],
    ["AWS secret key", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
    [
      "private key block",
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----",
    ],
    ["unterminated private key block", "x -----BEGIN PRIVATE KEY-----\nMIIEowIBAAKCAQEA"],
  ];
  for (const [name, text] of secrets) {
    it(`masks a ${name}`, () => {
      const out = redactor.redactText(text);
      expect(out).toContain(REDACTED);
      // no 8-character run of the secret's distinctive part survives
      for (const part of [
        "abcDEF123456",
        "c2lnbmF0dXJl",
        "ABCDEFGHIJKLMNOP",
        "0123456789abcdefghij",
        "11ABCDEFG0123456789",
        "IOSFODNN7",
        "wJalrXUtnFEMI",
        "MIIEowIBAAKCAQEA",
      ]) {
        expect(out).not.toContain(part);
      }
    });
  }

  it("leaves ordinary text alone", () => {
    const text = "Bearer of bad news: the sky-is blue, ticket ABC-123, basic math";
    expect(redactor.redactText(text)).toBe(text);
  });

  it("is case-insensitive where the pattern says (?i)", () => {
    expect(redactor.redactText("BEARER abcdefgh12345678")).toBe(REDACTED);
  });
});

describe("redactText: Gatehouse keys, tokens and passwords in URLs and connection strings", () => {
  const cases: [string, string, string][] = [
    // [what, text, expected]
    [
      "a Gatehouse API key",
      "key ghk_0123456789abcdef_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq end",
      `key ${REDACTED} end`,
    ],
    ["a Gatehouse key cut short", "prefix_ghk_0123456789ab", `prefix_${REDACTED}`],
    ["a PostgreSQL URL", "postgres://admin:PASS@db/app", `postgres://admin:${REDACTED}@db/app`],
    ["a MySQL URL", "mysql://root:s3cr3t!@mysql:3306/db", `mysql://root:${REDACTED}@mysql:3306/db`],
    [
      "a Redis URL without a user",
      "redis://:hunter2@cache:6379/0",
      `redis://:${REDACTED}@cache:6379/0`,
    ],
    ["an AMQP URL", "amqp://guest:guestpw@rabbit/vhost", `amqp://guest:${REDACTED}@rabbit/vhost`],
    [
      "a MongoDB SRV URL",
      "mongodb+srv://user:p%40ss@cluster0.example.net/test?w=1",
      `mongodb+srv://user:${REDACTED}@cluster0.example.net/test?w=1`,
    ],
    ["a password holding @", "https://u:p@ss@host/x", `https://u:${REDACTED}@host/x`],
    [
      "a JDBC query password",
      "jdbc:postgresql://db/app?user=app&password=Pa55&ssl=true",
      `jdbc:postgresql://db/app?user=app&password=${REDACTED}&ssl=true`,
    ],
    [
      "an ADO.NET connection string",
      "Server=db;User Id=sa;Password=Sup3rS3cret;",
      `Server=db;User Id=sa;Password=${REDACTED};`,
    ],
    [
      "a libpq connection string",
      "host=db password=libpq dbname=x",
      `host=db password=${REDACTED} dbname=x`,
    ],
    ["a quoted JSON secret", '{"api_key": "abc123"}', `{"api_key": ${REDACTED}}`],
    ["a GitHub OAuth token", "gho_16C7e42F292c6912E7710c838347Ae178B4a", REDACTED],
    ["a temporary AWS key id", "id ASIAY34FZKBOKMUTVV7A.", `id ${REDACTED}.`],
    [
      "a lone AWS secret key",
      "aws wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY here",
      `aws ${REDACTED} here`,
    ],
    ["a Slack app token", "xapp-1-A0123456789-1234567890123-abcdef", REDACTED],
    [
      "a PGP private key block",
      "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQdGBF\n-----END PGP PRIVATE KEY BLOCK----- after",
      `${REDACTED} after`,
    ],
  ];
  for (const [what, text, expected] of cases) {
    it(`masks ${what}`, () => {
      expect(redactor.redactText(text)).toBe(expected);
      // the second time comes from the memo: the same answer
      expect(redactor.redactText(text)).toBe(expected);
    });
  }

  it("leaves digests, times, plain URLs and user-only URLs alone", () => {
    for (const text of [
      "commit 3f786850e387550fdab836ed7e6dc881de23001b",
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "2026-11-24T10:00:00.000Z",
      "https://example.com/path?q=1#frag",
      "ssh://git@github.com/org/repo.git",
      "/sandbox/notes.txt",
      `base64 ${"QUJD".repeat(20)}`,
    ]) {
      expect(redactor.redactText(text)).toBe(text);
    }
  });
});

describe("redactValue: secret key names at any depth", () => {
  it("masks the values of secret keys, case-insensitively, on every path segment", () => {
    const out = redactor.redactValue({
      pwd: "a",
      passwd: "b",
      apikey: "c",
      credentials: { pass: "d", user: "alice" },
      a: { b: { private_key: "e" } },
      "X-Api-Key": "f",
      "credentials.pass": "g",
      headers: { Authorization: "Basic x", Cookie: "sid=1" },
      env: { DB_PASSWORD: "h", GITHUB_TOKEN: "i", AWS_SECRET_ACCESS_KEY: "j" },
      list: [{ deep: [{ Client_Secret: "k" }] }],
      Token: { value: "l" },
    });
    expect(out).toEqual({
      pwd: REDACTED,
      passwd: REDACTED,
      apikey: REDACTED,
      credentials: REDACTED,
      a: { b: { private_key: REDACTED } },
      "X-Api-Key": REDACTED,
      "credentials.pass": REDACTED,
      headers: { Authorization: REDACTED, Cookie: REDACTED },
      env: { DB_PASSWORD: REDACTED, GITHUB_TOKEN: REDACTED, AWS_SECRET_ACCESS_KEY: REDACTED },
      list: [{ deep: [{ Client_Secret: REDACTED }] }],
      Token: REDACTED,
    });
  });

  it("keeps keys that only look similar, and null values", () => {
    const value = {
      max_tokens: 5,
      token_count: 3,
      tokenizer: "bpe",
      path: "/tmp/passport.txt",
      keyboard: "qwerty",
      password: null,
    };
    expect(redactor.redactValue(value)).toEqual(value);
  });

  it("masks a secret nested 30 levels deep, and cuts what is deeper than the limit", () => {
    let deep: unknown = { password: "deep-secret", note: "ghk_0123456789abcdef_x" };
    for (let i = 0; i < 29; i++) deep = i % 2 ? { level: deep } : [deep];
    const out = JSON.stringify(redactor.redactValue({ args: deep }));
    expect(out).not.toContain("deep-secret");
    expect(out).not.toContain("ghk_0123");
    expect(out.match(/\[redacted\]/g)).toHaveLength(2);
    let deeper: unknown = { password: "too-deep" };
    for (let i = 0; i < 40; i++) deeper = { level: deeper };
    expect(JSON.stringify(redactor.redactValue(deeper))).not.toContain("too-deep");
  });
});

describe("configured patterns", () => {
  it("uses the configured list instead of the defaults", () => {
    const custom = new Redactor(["internal-[0-9]{6}"]);
    expect(custom.redactText("id internal-123456, key sk-ABCDEFGHIJKLMNOPQRSTU")).toBe(
      "id [redacted], key sk-ABCDEFGHIJKLMNOPQRSTU",
    );
  });

  it("refuses an invalid pattern, naming it", () => {
    expect(() => new Redactor([...DEFAULT_SECRET_PATTERNS, "([a-z"])).toThrow(SecretPatternError);
    expect(() => new Redactor(["ok", "([a-z"])).toThrow(
      /secret pattern 2 "\(\[a-z" is not a valid/,
    );
  });
});

describe("redactArguments", () => {
  it("masks top-level and dotted obligation paths, then patterns", () => {
    const args = {
      api_token: "plain-looking",
      auth: { user: "alice", password: "hunter2" },
      note: "call with Bearer abcdefgh12345678",
      items: [{ token: "t1", keep: 1 }, { token: "t2" }],
    };
    const out = redactor.redactArguments(args, [
      "api_token",
      "auth.password",
      "items.token",
      "missing.path",
    ]);
    expect(out).toEqual({
      api_token: REDACTED,
      auth: { user: "alice", password: REDACTED },
      note: `call with ${REDACTED}`,
      items: [{ token: REDACTED, keep: 1 }, { token: REDACTED }],
    });
    // the input is untouched
    expect(args.auth.password).toBe("hunter2");
    expect(args.api_token).toBe("plain-looking");
  });

  it("masks a whole subtree, a wildcard, and a key that contains a dot", () => {
    const out = redactPaths({ creds: { a: 1, b: [2] }, env: { A: "x", B: "y" }, "a.b": "dotted" }, [
      "creds",
      "env.*",
      "a.b",
    ]);
    expect(out).toEqual({ creds: REDACTED, env: { A: REDACTED, B: REDACTED }, "a.b": REDACTED });
  });

  it("accepts missing arguments", () => {
    expect(redactor.redactArguments(undefined, ["x"])).toEqual({});
  });
});

describe("redactValue bounds", () => {
  const small = new Redactor(DEFAULT_SECRET_PATTERNS, {
    maxDepth: 3,
    maxStringBytes: 10,
    maxEntries: 2,
    maxTotalBytes: 25,
  });

  it("truncates a long string with a marker counting the bytes cut", () => {
    expect(small.redactValue("0123456789abcdef")).toBe("0123456789…[truncated 6 bytes]");
  });

  it("never splits a multi-byte character", () => {
    // "é" is 2 bytes: 10 bytes hold 5 of them exactly; 11 bytes would split the sixth
    expect(small.redactValue("éééééé")).toBe("ééééé…[truncated 2 bytes]");
  });

  it("cuts deep nesting, long arrays and wide objects", () => {
    expect(small.redactValue({ a: { b: { c: { d: 1 } } } })).toEqual({
      a: { b: { c: "…[truncated: nested deeper than 3]" } },
    });
    expect(small.redactValue([1, 2, 3, 4])).toEqual([1, 2, "…[truncated 2 items]"]);
    expect(small.redactValue({ a: 1, b: 2, c: 3 })).toEqual({
      a: 1,
      b: 2,
      "…": "[truncated 1 keys]",
    });
  });

  it("shares one byte budget across the whole value", () => {
    // 25 bytes in all: two 10-byte strings fit, the third keeps 5 bytes
    expect(small.redactValue({ a: "0123456789", b: ["0123456789", "0123456789"] })).toEqual({
      a: "0123456789",
      b: ["0123456789", "01234…[truncated 5 bytes]"],
    });
    // and once it is spent, later strings keep nothing but the marker
    expect(small.redactValue(["0123456789", ["0123456789", ["0123456789", "abc"]]])).toEqual([
      "0123456789",
      ["0123456789", ["01234…[truncated 5 bytes]", "…[truncated 3 bytes]"]],
    ]);
  });

  it("handles a huge argument without throwing and masks a secret inside it", () => {
    const huge = `${"x".repeat(3 * 1024 * 1024)} sk-ABCDEFGHIJKLMNOPQRSTUV`;
    const out = redactor.redactArguments(
      { blob: huge, note: `tail ghp_0123456789abcdefghijABCDEFGHIJ` },
      [],
    );
    expect(out.blob).toMatch(/^x{16384}…\[truncated \d+ bytes\]$/);
    expect(out.note).toBe(`tail ${REDACTED}`);
  });

  it("turns non-JSON values into strings and keeps null, numbers and booleans", () => {
    expect(redactor.redactValue({ n: null, i: 3, b: false, big: 10n })).toEqual({
      n: null,
      i: 3,
      b: false,
      big: "10",
    });
  });
});
