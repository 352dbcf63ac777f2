// Masks secrets before a value reaches a span, a log line or the audit store: policy obligation
// paths (`redact_arguments`, `redact_result`) and configured secret patterns, with bounded size.
// Pure functions over JSON-like values; the input is never modified.

export const REDACTED = "[redacted]";

/**
 * Secret shapes masked by default (regular expressions as strings, like the config's
 * `audit.secretPatterns`; a leading `(?i)` makes one case-insensitive).
 */
export const DEFAULT_SECRET_PATTERNS: readonly string[] = [
  // Authorization header values: "Bearer <token>", "Basic <credentials>"
  String.raw`(?i)\b(?:bearer|basic)\s+[A-Za-z0-9\-._~+/]{8,}=*`,
  // JSON Web Tokens (header.payload.signature, header and payload are base64url JSON)
  String.raw`\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`,
  // OpenAI / Anthropic style keys
  String.raw`\bsk-[A-Za-z0-9_-]{16,}`,
  // GitHub tokens (personal, OAuth, app, refresh, fine-grained)
  String.raw`\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}`,
  // Slack tokens
  String.raw`\bxox[abprs]-[A-Za-z0-9-]{10,}`,
  // AWS access key ids, and secret keys written next to their name
  String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`,
  String.raw`(?i)aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+=]{40}`,
  // PEM private key blocks (an unterminated one is masked to the end of the text)
  String.raw`-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)`,
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

export class Redactor {
  private readonly patterns: RegExp[];

  /**
   * @param patterns secret patterns (regular expression sources); throws SecretPatternError
   *   naming the first invalid one
   */
  constructor(
    patterns: readonly string[] = DEFAULT_SECRET_PATTERNS,
    readonly limits: RedactionLimits = DEFAULT_REDACTION_LIMITS,
  ) {
    this.patterns = patterns.map(compilePattern);
  }

  /** Every match of a secret pattern replaced by "[redacted]". */
  redactText(s: string): string {
    let text = s.length > MAX_SCAN_CHARS ? s.slice(0, MAX_SCAN_CHARS) : s;
    for (const pattern of this.patterns) {
      pattern.lastIndex = 0;
      text = text.replace(pattern, REDACTED);
    }
    return text;
  }

  /**
   * A copy of `value` with secret patterns masked in every string (object keys included),
   * strings, objects and arrays cut to the limits (with a marker saying how much was cut), and
   * non-JSON values (bigint, functions, ...) turned into strings.
   */
  redactValue(value: unknown): unknown {
    return this.walk(value, 0, { bytesLeft: this.limits.maxTotalBytes });
  }

  /**
   * Obligation paths applied, then secret patterns: for tool arguments.
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
    if (Array.isArray(value)) {
      const kept = value
        .slice(0, this.limits.maxEntries)
        .map((item) => this.walk(item, depth + 1, budget));
      if (value.length > kept.length) {
        kept.push(`…[truncated ${value.length - kept.length} items]`);
      }
      return kept;
    }
    if (value instanceof Date) return value.toISOString();
    const entries = Object.entries(value);
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries.slice(0, this.limits.maxEntries)) {
      out[this.redactText(key)] = this.walk(item, depth + 1, budget);
    }
    if (entries.length > this.limits.maxEntries) {
      out["…"] = `[truncated ${entries.length - this.limits.maxEntries} keys]`;
    }
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
