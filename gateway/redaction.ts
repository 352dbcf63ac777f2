// Masks secrets before a value reaches a span, a log line or the audit store: policy obligation
// paths (`redact_arguments`), secret key names (`password`, `X-Api-Key`, `credentials.pass`, at
// any depth) and secret patterns in every string, with bounded size. Pure functions over
// JSON-like values; the input is never modified.

export const REDACTED = "[redacted]";

/** A built-in secret pattern and a cheap test of whether it can match at all. */
interface BuiltInPattern {
  source: string;
  /** false when the pattern cannot match `text` (`lower` is its lower-case form) */
  mayMatch(lower: string, text: string): boolean;
}

const has =
  (...needles: string[]) =>
  (lower: string) =>
    needles.some((needle) => lower.includes(needle));
const LONE_40 = /[A-Za-z0-9/+]{40}/;
const SECRET_WORD = /pass|pwd|secret|token|api.?key|access.?key|private.?key|credential/;

const BUILT_IN_PATTERNS: readonly BuiltInPattern[] = [
  // Gatehouse API keys: ghk_<16 hex id>_<43 base64url secret> (any ghk_ token, even cut short)
  { source: String.raw`(?<![A-Za-z0-9])ghk_[A-Za-z0-9_-]{8,}`, mayMatch: has("ghk_") },
  // Authorization header values: "Bearer <token>", "Basic <credentials>"
  {
    source: String.raw`(?i)\b(?:bearer|basic)\s+[A-Za-z0-9\-._~+/]{8,}=*`,
    mayMatch: has("bearer", "basic"),
  },
  // JSON Web Tokens (header.payload.signature, header and payload are base64url JSON)
  {
    source: String.raw`\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`,
    mayMatch: has("eyj"),
  },
  // OpenAI / Anthropic style keys
  { source: String.raw`(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{16,}`, mayMatch: has("sk-") },
  // GitHub tokens (personal, OAuth, user-to-server, server-to-server, refresh, fine-grained)
  {
    source: String.raw`(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})`,
    mayMatch: has("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
  },
  // Slack tokens (bot, user, app-level, refresh, ...)
  {
    source: String.raw`(?<![A-Za-z0-9])(?:xox[abeoprs]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,})`,
    mayMatch: has("xox", "xapp-"),
  },
  // AWS access key ids (long-term AKIA, temporary ASIA)
  {
    source: String.raw`(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])`,
    mayMatch: has("akia", "asia"),
  },
  // AWS secret access keys: a lone 40-character base64 run mixing upper case, lower case and
  // digits (a hex digest has no upper case; longer runs such as base64 blobs do not match)
  {
    source: String.raw`(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]{0,39}[A-Z])(?=[A-Za-z0-9/+]{0,39}[a-z])(?=[A-Za-z0-9/+]{0,39}[0-9])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])`,
    mayMatch: (_lower, text) => text.length >= 40 && LONE_40.test(text),
  },
  // PEM private key blocks, PGP private key blocks (an unterminated one is masked to the end)
  {
    source: String.raw`-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)`,
    mayMatch: has("-----begin"),
  },
  // a password in a URL's user info: postgres://admin:PASS@db, redis://:PASS@cache, amqp://,
  // mongodb+srv://, jdbc:mysql://... (scheme and user kept)
  {
    source: String.raw`(?i)(?<keep>\b[a-z][a-z0-9+.-]{0,30}://[^\s/?#@:]*:)[^\s/?#]+(?=@)`,
    mayMatch: (lower) => lower.includes("://") && lower.includes("@"),
  },
  // key=value and key: value text: password=..., "api_key": "...", Password=...; (connection
  // strings), ?access_token=... (the key kept)
  {
    source: String.raw`(?i)(?<keep>(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)["']?\s*[:=]\s*)(?:"[^"]*"|'[^']*'|[^\s"',;&]+)`,
    mayMatch: (lower) => SECRET_WORD.test(lower),
  },
];

/**
 * Secret shapes masked by default (regular expressions as strings, like the config's
 * `audit.secretPatterns`; a leading `(?i)` makes one case-insensitive). What a named group `keep`
 * at the start of a match holds is kept (the key or user name before a password), the rest of
 * the match is masked.
 */
export const DEFAULT_SECRET_PATTERNS: readonly string[] = BUILT_IN_PATTERNS.map((p) => p.source);

/** Lower-case text one of the built-in patterns needs; most strings have none and are skipped. */
const BUILT_IN_TRIGGER =
  /ghk_|bearer|basic|eyj|sk-|gh[pousr]_|github_pat_|xox|xapp-|akia|asia|-----begin|:\/\/|pass|pwd|secret|token|api.?key|access.?key|private.?key|credential/;

/**
 * Key names whose values are masked whole, whatever they hold. Compared case-insensitively with
 * everything but letters and digits removed (`X-Api-Key` is `xapikey`), on each segment of a
 * dotted key (`credentials.pass`) and on each key of a nested path.
 */
export const SECRET_KEY_NAMES: ReadonlySet<string> = new Set([
  "password",
  "passwd",
  "pwd",
  "pass",
  "passphrase",
  "passcode",
  "secret",
  "secrets",
  "token",
  "apikey",
  "apitoken",
  "privatekey",
  "secretkey",
  "accesskey",
  "authorization",
  "proxyauthorization",
  "cookie",
  "setcookie",
  "credential",
  "credentials",
  "connectionstring",
  "signingkey",
  "encryptionkey",
  "sshkey",
]);

/** Key names ending like these are secret too: db_password, GITHUB_TOKEN, client_secret. */
const SECRET_KEY_SUFFIXES = [
  "password",
  "passwd",
  "passphrase",
  "secret",
  "token",
  "apikey",
  "privatekey",
  "secretkey",
  "accesskey",
  "credentials",
];

export interface RedactionLimits {
  /** nesting kept; deeper values become a marker */
  maxDepth: number;
  /** UTF-8 bytes kept of one string */
  maxStringBytes: number;
  /** entries kept of one object or array */
  maxEntries: number;
  /** UTF-8 bytes of strings kept in one value overall; later strings become markers */
  maxTotalBytes: number;
}

export const DEFAULT_REDACTION_LIMITS: RedactionLimits = {
  maxDepth: 32,
  maxStringBytes: 16 * 1024,
  maxEntries: 1000,
  maxTotalBytes: 256 * 1024,
};

/** A configured pattern that is not a valid regular expression. */
export class SecretPatternError extends Error {
  override name = "SecretPatternError";
}

/** Strings longer than this (UTF-16 units) are cut before patterns run, to bound the work. */
const MAX_SCAN_CHARS = 4 * 1024 * 1024;
/** Redacted short strings are remembered (names, ids, keys recur in every record). */
const MEMO_MAX_CHARS = 256;
const MEMO_MAX_ENTRIES = 4096;

export function truncationMarker(bytes: number): string {
  return `…[truncated ${bytes} bytes]`;
}

function compilePattern(source: string, index: number): RegExp {
  const insensitive = source.startsWith("(?i)");
  const body = insensitive ? source.slice(4) : source;
  if (body === "") throw new SecretPatternError(`secret pattern ${index + 1} is empty`);
  try {
    return new RegExp(body, insensitive ? "gi" : "g");
  } catch (e) {
    throw new SecretPatternError(
      `secret pattern ${index + 1} ${JSON.stringify(source)} is not a valid regular expression: ${(e as Error).message}; fix or remove it`,
    );
  }
}

/** True when `source` compiles as a secret pattern (for config validation). */
export function isValidSecretPattern(source: string): boolean {
  try {
    compilePattern(source, 0);
    return true;
  } catch {
    return false;
  }
}

/** The replacement of one match: what the `keep` group holds, then the mask. */
function mask(match: string, ...rest: unknown[]): string {
  const groups = rest[rest.length - 1];
  const keep =
    groups !== null && typeof groups === "object"
      ? (groups as Record<string, string | undefined>).keep
      : undefined;
  return keep !== undefined && match.startsWith(keep) ? keep + REDACTED : REDACTED;
}

const KEY_SEPARATOR = /[./]/;
const NOT_ALPHANUMERIC = /[^a-z0-9]/g;

function isSecretSegment(segment: string): boolean {
  const name = segment.toLowerCase().replace(NOT_ALPHANUMERIC, "");
  if (name === "") return false;
  if (SECRET_KEY_NAMES.has(name)) return true;
  return SECRET_KEY_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** The longest prefix of `s` of at most `maxBytes` UTF-8 bytes (never splits a character). */
function utf8Prefix(s: string, maxBytes: number): string {
  const bytes = Buffer.from(s, "utf8");
  if (bytes.length <= maxBytes) return s;
  let end = maxBytes;
  // step back over continuation bytes (10xxxxxx) so the cut falls on a character boundary
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8");
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Mutable budget shared by one redactValue call. */
interface Budget {
  bytesLeft: number;
}

interface CompiledPattern {
  regex: RegExp;
  /** built-in patterns: whether the pattern can match (configured ones always run) */
  mayMatch: BuiltInPattern["mayMatch"] | null;
}

const BUILT_IN_BY_SOURCE = new Map(BUILT_IN_PATTERNS.map((p) => [p.source, p]));

export class Redactor {
  private readonly patterns: CompiledPattern[];
  private readonly allBuiltIn: boolean;
  private readonly memo = new Map<string, string>();
  private readonly secretKeys = new Map<string, boolean>();

  /**
   * @param patterns secret patterns (regular expression sources); throws SecretPatternError
   *   naming the first invalid one. Key-name rules (SECRET_KEY_NAMES) always apply.
   */
  constructor(
    patterns: readonly string[] = DEFAULT_SECRET_PATTERNS,
    readonly limits: RedactionLimits = DEFAULT_REDACTION_LIMITS,
  ) {
    this.patterns = patterns.map((source, i) => ({
      regex: compilePattern(source, i),
      mayMatch: BUILT_IN_BY_SOURCE.get(source)?.mayMatch ?? null,
    }));
    this.allBuiltIn = this.patterns.every((p) => p.mayMatch !== null);
  }

  /** Every match of a secret pattern masked ("[redacted]", keeping a key or user name). */
  redactText(s: string): string {
    if (s.length > MEMO_MAX_CHARS) return this.scan(s);
    const known = this.memo.get(s);
    if (known !== undefined) return known;
    const clean = this.scan(s);
    if (this.memo.size >= MEMO_MAX_ENTRIES) this.memo.clear();
    this.memo.set(s, clean);
    return clean;
  }

  private scan(s: string): string {
    let text = s.length > MAX_SCAN_CHARS ? s.slice(0, MAX_SCAN_CHARS) : s;
    const lower = text.toLowerCase();
    // the common case: no built-in pattern can match and no configured one is there to run
    if (
      this.allBuiltIn &&
      !BUILT_IN_TRIGGER.test(lower) &&
      !(text.length >= 40 && LONE_40.test(text))
    ) {
      return text;
    }
    for (const { regex, mayMatch } of this.patterns) {
      // a mask only shortens a match, so the checks on the original text stay conservative
      if (mayMatch !== null && !mayMatch(lower, text)) continue;
      regex.lastIndex = 0;
      text = text.replace(regex, mask);
    }
    return text;
  }

  /** True when a value under this key name is masked whole (password, X-Api-Key, a.b.token). */
  isSecretKey(key: string): boolean {
    let known = this.secretKeys.get(key);
    if (known === undefined) {
      known = key.split(KEY_SEPARATOR).some(isSecretSegment);
      if (this.secretKeys.size >= MEMO_MAX_ENTRIES) this.secretKeys.clear();
      this.secretKeys.set(key, known);
    }
    return known;
  }

  /**
   * A copy of `value` with the values of secret keys masked, secret patterns masked in every
   * string (object keys included), strings, objects and arrays cut to the limits (with a marker
   * saying how much was cut), and non-JSON values (bigint, functions, ...) turned into strings.
   */
  redactValue(value: unknown): unknown {
    return this.walk(value, 0, { bytesLeft: this.limits.maxTotalBytes });
  }

  /**
   * Obligation paths applied, then key names and secret patterns: for tool arguments.
   * A path is an argument name (`api_token`) or a dotted path (`auth.password`); `*` matches any
   * key, and a path continues into every element of an array it meets.
   */
  redactArguments(
    args: Record<string, unknown> | undefined | null,
    paths: readonly string[],
  ): Record<string, unknown> {
    const masked = redactPaths(args ?? {}, paths);
    const clean = this.redactValue(masked);
    return isPlainObject(clean) ? clean : {};
  }

  private walk(value: unknown, depth: number, budget: Budget): unknown {
    if (typeof value === "string") return this.cutString(this.redactText(value), budget);
    if (value === null || typeof value === "number" || typeof value === "boolean") return value;
    if (value === undefined) return undefined;
    if (typeof value !== "object") return this.cutString(this.redactText(String(value)), budget);
    if (depth >= this.limits.maxDepth) {
      return `…[truncated: nested deeper than ${this.limits.maxDepth}]`;
    }
    const { maxEntries } = this.limits;
    if (Array.isArray(value)) {
      const kept = Math.min(value.length, maxEntries);
      const out: unknown[] = new Array(kept);
      for (let i = 0; i < kept; i++) out[i] = this.walk(value[i], depth + 1, budget);
      if (value.length > kept) out.push(`…[truncated ${value.length - kept} items]`);
      return out;
    }
    if (value instanceof Date) return value.toISOString();
    const out: Record<string, unknown> = {};
    let count = 0;
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      if (count++ >= maxEntries) continue;
      const item = (value as Record<string, unknown>)[key];
      out[this.redactText(key)] =
        item !== null && item !== undefined && this.isSecretKey(key)
          ? REDACTED
          : this.walk(item, depth + 1, budget);
    }
    if (count > maxEntries) out["…"] = `[truncated ${count - maxEntries} keys]`;
    return out;
  }

  private cutString(s: string, budget: Budget): string {
    const size = utf8Length(s);
    const allowed = Math.max(0, Math.min(this.limits.maxStringBytes, budget.bytesLeft));
    if (size <= allowed) {
      budget.bytesLeft -= size;
      return s;
    }
    const kept = utf8Prefix(s, allowed);
    const keptBytes = utf8Length(kept);
    budget.bytesLeft -= keptBytes;
    return kept + truncationMarker(size - keptBytes);
  }
}

/**
 * A copy of `value` with the values at the given paths replaced by "[redacted]" (paths as in
 * `Redactor.redactArguments`). Missing paths are ignored; an exact top-level key wins over a
 * dotted reading, so an argument literally named "a.b" can be redacted.
 */
export function redactPaths<T>(value: T, paths: readonly string[]): T {
  if (paths.length === 0 || !isPlainObject(value)) return value;
  let out: unknown = value;
  for (const path of paths) {
    if (path === "") continue;
    out =
      isPlainObject(out) && Object.hasOwn(out, path)
        ? { ...out, [path]: REDACTED }
        : maskAt(out, path.split("."));
  }
  return out as T;
}

function maskAt(value: unknown, segments: string[]): unknown {
  if (segments.length === 0) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => maskAt(item, segments));
  if (!isPlainObject(value)) return value;
  const [head, ...rest] = segments as [string, ...string[]];
  const keys = head === "*" ? Object.keys(value) : Object.hasOwn(value, head) ? [head] : [];
  if (keys.length === 0) return value;
  const copy = { ...value };
  for (const key of keys) copy[key] = maskAt(value[key], rest);
  return copy;
}
