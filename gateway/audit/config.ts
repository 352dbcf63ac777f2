// The `audit` section of the gateway config: where decision records go and what happens when that
// store is down. Merged field by field over the defaults (gateway/config.ts).
import { z } from "zod";
import { DEFAULT_SECRET_PATTERNS, isValidSecretPattern } from "../redaction.ts";

export type StoreFailureMode = "deny" | "buffer";

export interface AuditConfig {
  /** false: no decision records at all */
  enabled: boolean;
  /** SQLite file path or postgres:// URL; null = SQLite at <dataDir>/audit.db */
  store: string | null;
  /** PostgreSQL schema of the audit tables (created when missing) */
  schema: string;
  /** PostgreSQL: allows are written in batches at most this old (denies are written at once) */
  batchWindowMs: number;
  /** PostgreSQL: records per batch; also bounds the queue (a full queue makes calls wait) */
  batchMaxRecords: number;
  /** deny: a call whose record cannot be stored fails closed; buffer: spool to the data dir */
  onStoreFailure: StoreFailureMode;
  /** spool bound; when it is full, calls fail closed in either mode */
  spoolMaxBytes: number;
  /** how often a failed store is retried (and the spool replayed) */
  retryMs: number;
  /** records older than this are removed ("90d", "12h", ...); null keeps them forever */
  retention: string | null;
  /** how often the retention job runs */
  retentionIntervalMs: number;
  /** regular expressions masked in arguments, inputs, spans and logs (a leading (?i):
   * case-insensitive). Resolved: the built-in ones (unless defaultSecretPatterns is false), then
   * those the config file lists. */
  secretPatterns: string[];
  /** false drops the built-in patterns (DEFAULT_SECRET_PATTERNS in gateway/redaction.ts) */
  defaultSecretPatterns: boolean;
  /** Ed25519 private key signing checkpoints: PEM text or a file path (env
   * GATEHOUSE_AUDIT_SIGNING_KEY); null = <dataDir>/audit-signing-key.pem, generated on first use */
  signingKey: string | null;
  /** a checkpoint is signed at least every this many records */
  checkpointEvery: number;
  /** and every this many ms when records were written since the last one */
  checkpointIntervalMs: number;
}

export const DEFAULT_AUDIT_CONFIG: AuditConfig = {
  enabled: true,
  store: null,
  schema: "gatehouse",
  batchWindowMs: 50,
  batchMaxRecords: 500,
  onStoreFailure: "buffer",
  spoolMaxBytes: 256 * 1024 * 1024,
  retryMs: 1000,
  retention: null,
  retentionIntervalMs: 60 * 60_000,
  secretPatterns: [...DEFAULT_SECRET_PATTERNS],
  defaultSecretPatterns: true,
  signingKey: null,
  checkpointEvery: 1000,
  checkpointIntervalMs: 60_000,
};

const DURATION = /^(\d+)(ms|s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** "90d" -> milliseconds; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

const positiveInt = z.int().positive();

export const auditLayer = z
  .strictObject({
    enabled: z.boolean(),
    store: z.string().min(1),
    schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, "must be a plain SQL identifier"),
    batchWindowMs: z.int().nonnegative(),
    batchMaxRecords: positiveInt,
    onStoreFailure: z.enum(["deny", "buffer"]),
    spoolMaxBytes: positiveInt,
    retryMs: positiveInt,
    retention: z
      .string()
      .refine((s) => (parseDuration(s) ?? 0) > 0, "must be a duration like 90d, 12h or 30m")
      .nullable(),
    retentionIntervalMs: positiveInt,
    secretPatterns: z.array(
      z.string().min(1).refine(isValidSecretPattern, "is not a valid regular expression"),
    ),
    defaultSecretPatterns: z.boolean(),
    signingKey: z.string().min(1).nullable(),
    checkpointEvery: positiveInt,
    checkpointIntervalMs: positiveInt,
  })
  .partial();

export type AuditLayer = z.infer<typeof auditLayer>;

export function resolveAudit(layers: AuditLayer[]): AuditConfig {
  const merged: AuditConfig = { ...DEFAULT_AUDIT_CONFIG, secretPatterns: [] };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined) Object.assign(merged, { [key]: value });
    }
  }
  const builtIn = merged.defaultSecretPatterns ? DEFAULT_SECRET_PATTERNS : [];
  return { ...merged, secretPatterns: [...builtIn, ...merged.secretPatterns] };
}

/** True when `store` names a PostgreSQL database rather than a SQLite file. */
export function isPostgresLocation(store: string): boolean {
  return /^postgres(ql)?:\/\//i.test(store);
}

/** GATEHOUSE_AUDIT_* variables as an audit layer (undefined when none is set). */
export function auditEnvLayer(
  env: Record<string, string | undefined>,
  problems: string[],
): AuditLayer | undefined {
  const layer: AuditLayer = {};
  const store = env.GATEHOUSE_AUDIT_STORE;
  if (store !== undefined && store.trim() === "") {
    problems.push(
      "GATEHOUSE_AUDIT_STORE: must be a SQLite file path or a postgres:// URL, got an empty value",
    );
  } else if (store !== undefined) {
    layer.store = store;
  }
  const signingKey = env.GATEHOUSE_AUDIT_SIGNING_KEY;
  if (signingKey !== undefined && signingKey.trim() === "") {
    problems.push(
      "GATEHOUSE_AUDIT_SIGNING_KEY: must be an Ed25519 private key (PEM) or the path of one, got an empty value",
    );
  } else if (signingKey !== undefined) {
    layer.signingKey = signingKey;
  }
  return Object.keys(layer).length > 0 ? layer : undefined;
}
