// gatehouse audit query | export | verify | checkpoint: read the decision store and check its
// chain and signed checkpoints (docs/audit.md).
import { existsSync, readFileSync } from "node:fs";
import type { KeyObject } from "node:crypto";
import { dirname } from "node:path";
import { Option, type Command } from "commander";
import {
  checkSignature,
  parseCheckpoint,
  type Checkpoint,
} from "../../gateway/audit/checkpoint.ts";
import { parseDuration } from "../../gateway/audit/config.ts";
import { openAuditStore, storeLocation } from "../../gateway/audit/open.ts";
import type { AuditRecord } from "../../gateway/audit/record.ts";
import {
  SigningKeyError,
  TrustedKeys,
  configuredPublicKey,
  publicKeyFilesIn,
  readPublicKey,
} from "../../gateway/audit/signing-key.ts";
import type { AuditFilter, AuditStore } from "../../gateway/audit/store.ts";
import { verifyChain, type VerifyReport } from "../../gateway/audit/verify.ts";
import { isPostgresLocation } from "../../gateway/audit/config.ts";
import { loadConfig, type GatewayConfig } from "../../gateway/config.ts";
import { CliError } from "../failure.ts";

interface StoreOptions {
  store?: string;
  schema?: string;
  config?: string;
}

interface KeyOptions extends StoreOptions {
  publicKey?: string[];
}

interface VerifyOptions extends KeyOptions {
  format: "text" | "json";
  checkpoint?: string;
  chainOnly?: boolean;
}

interface FilterOptions extends StoreOptions {
  principal?: string;
  tool?: string;
  server?: string;
  decision?: "allow" | "deny";
  since?: string;
  until?: string;
  revision?: string;
  traceId?: string;
  limit?: string;
}

const FORMATS = ["table", "json", "csv"] as const;
type Format = (typeof FORMATS)[number];

function storeOptions(command: Command): Command {
  return command
    .option(
      "--store <location>",
      "SQLite file or postgres:// URL (default: the gateway's configured store)",
    )
    .option("--schema <name>", "PostgreSQL schema of the audit tables (default: from config)")
    .option(
      "--config <file>",
      "gateway config file to take the store from (also GATEHOUSE_CONFIG)",
    );
}

function filterOptions(command: Command): Command {
  return storeOptions(command)
    .option("--principal <sub>", "principal subject")
    .option("--tool <name>", "upstream tool name (without the server prefix)")
    .option("--server <name>", "upstream server")
    .addOption(new Option("--decision <outcome>", "allow or deny").choices(["allow", "deny"]))
    .option("--since <time>", "from this time (RFC 3339) or this long ago (30m, 24h, 7d)")
    .option("--until <time>", "up to this time (RFC 3339) or this long ago")
    .option("--revision <rev>", "policy revision")
    .option("--trace-id <id>", "W3C trace id (32 hex digits)");
}

/** Adds the subcommands to `gatehouse audit` (cli/program.ts creates it). */
export function defineAuditCommands(audit: Command): void {
  filterOptions(audit.command("query"))
    .description("print decision records, newest first")
    .option("--limit <n>", "at most this many records", "100")
    .addOption(new Option("--format <format>", "output format").choices(FORMATS).default("table"))
    .action((options: FilterOptions & { format: Format }) => query(options));

  filterOptions(audit.command("export"))
    .description("write decision records as JSON Lines, oldest first (for a SIEM or policy diff)")
    .option("--limit <n>", "at most this many records")
    .option("--include-retention", "also write the retention job's records")
    .action((options: FilterOptions & { includeRetention?: boolean }) => exportRecords(options));

  keyOptions(storeOptions(audit.command("verify")))
    .description(
      "check the hash chain and the signed checkpoints; exit 1 and name what is broken (edited, deleted, rewritten, truncated, forged or unsigned)",
    )
    .addOption(
      new Option("--format <format>", "output format").choices(["text", "json"]).default("text"),
    )
    .option(
      "--checkpoint <file>",
      "a checkpoint kept elsewhere (`audit checkpoint` output): the store must hold it and not end before it",
    )
    .option("--chain-only", "check the hash chain alone, without signatures (no key needed)")
    .action((options: VerifyOptions) => verify(options));

  keyOptions(storeOptions(audit.command("checkpoint")))
    .description(
      "print the latest signed checkpoint as JSON, to keep elsewhere as a witness for `audit verify --checkpoint`",
    )
    .action((options: KeyOptions) => latestCheckpoint(options));
}

function keyOptions(command: Command): Command {
  return command.option(
    "--public-key <file>",
    "public key (PEM) checkpoints must be signed with; repeat for several (default: the keys in the gateway's data dir)",
    (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
  );
}

/** Opens the store named by --store, or the one the gateway's config names. */
function openStore(options: StoreOptions): AuditStore {
  let location = options.store;
  let schema = options.schema;
  if (location === undefined || schema === undefined) {
    const config = loadConfig({ file: options.config, env: process.env });
    location ??= storeLocation(config.audit, config.dataDir);
    schema ??= config.audit.schema;
  }
  if (!isPostgresLocation(location) && !existsSync(location)) {
    throw new CliError(
      `no audit store at ${location}: the gateway creates it at its first decision; pass --store <sqlite file or postgres URL>, or --config with the gateway's config`,
    );
  }
  return openAuditStore(location, { schema, readonly: true });
}

async function withStore<T>(
  options: StoreOptions,
  work: (store: AuditStore) => Promise<T>,
): Promise<T> {
  const store = openStore(options);
  try {
    return await work(store);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`audit store ${store.label}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await store.close().catch(() => undefined);
  }
}

function timeOption(flag: string, value: string | undefined, now: number): string | undefined {
  if (value === undefined) return undefined;
  const ago = parseDuration(value);
  if (ago !== undefined) return new Date(now - ago).toISOString();
  const time = Date.parse(value);
  if (!Number.isFinite(time)) {
    throw new CliError(
      `${flag}: expected an RFC 3339 time (2026-01-31T12:00:00Z) or a duration like 24h, got ${JSON.stringify(value)}`,
    );
  }
  return new Date(time).toISOString();
}

function limitOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new CliError(`--limit: expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

export function filterOf(options: FilterOptions, now = Date.now()): AuditFilter {
  if (options.traceId !== undefined && !/^[0-9a-f]{32}$/.test(options.traceId)) {
    throw new CliError(
      `--trace-id: expected 32 lowercase hex digits, got ${JSON.stringify(options.traceId)}`,
    );
  }
  const filter: AuditFilter = {
    principal: options.principal,
    tool: options.tool,
    server: options.server,
    decision: options.decision,
    since: timeOption("--since", options.since, now),
    until: timeOption("--until", options.until, now),
    revision: options.revision,
    traceId: options.traceId,
    limit: limitOption(options.limit),
  };
  return Object.fromEntries(
    Object.entries(filter).filter(([, v]) => v !== undefined),
  ) as AuditFilter;
}

async function query(options: FilterOptions & { format: Format }): Promise<void> {
  const filter = filterOf(options);
  const records = await withStore(options, (store) => store.query({ ...filter, order: "newest" }));
  process.stdout.write(formatRecords(records, options.format));
}

export function formatRecords(records: AuditRecord[], format: Format): string {
  if (format === "json") return `${JSON.stringify(records, null, 2)}\n`;
  if (format === "csv") return csv(records);
  return table(records);
}

function verdict(r: AuditRecord): string {
  if (r.kind === "retention") return "retention";
  return r.allow ? "allow" : "deny";
}

const TABLE_COLUMNS: [string, (r: AuditRecord) => string][] = [
  ["TIME", (r) => r.time],
  ["DECISION", verdict],
  ["PRINCIPAL", (r) => r.principal?.sub ?? ""],
  ["METHOD", (r) => r.method ?? ""],
  ["SERVER", (r) => r.server ?? ""],
  ["TOOL", (r) => r.tool ?? ""],
  ["REVISION", (r) => r.revision ?? ""],
  ["DECISION ID", (r) => r.decision_id ?? ""],
  ["REASONS", (r) => r.reasons.join("; ")],
];

const MAX_CELL = 60;

function table(records: AuditRecord[]): string {
  if (records.length === 0) return "no matching records\n";
  const cell = (s: string) =>
    // one line per record, bounded width: control characters shown as spaces
    (s.length > MAX_CELL ? `${s.slice(0, MAX_CELL - 1)}…` : s).replace(/[\u0000-\u001f]/g, " ");
  const rows = records.map((r) => TABLE_COLUMNS.map(([, get]) => cell(get(r))));
  const header = TABLE_COLUMNS.map(([name]) => name);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return `${[header, ...rows].map(line).join("\n")}\n`;
}

const CSV_COLUMNS: [string, (r: AuditRecord) => unknown][] = [
  ["seq", (r) => r.seq],
  ["time", (r) => r.time],
  ["kind", (r) => r.kind],
  ["decision", (r) => (r.kind === "decision" ? verdict(r) : "")],
  ["decision_id", (r) => r.decision_id],
  ["trace_id", (r) => r.trace_id],
  ["span_id", (r) => r.span_id],
  ["principal", (r) => r.principal?.sub],
  ["principal_iss", (r) => r.principal?.iss],
  ["auth", (r) => r.principal?.auth],
  ["groups", (r) => r.principal?.groups.join(";")],
  ["session_id", (r) => r.session_id],
  ["method", (r) => r.method],
  ["server", (r) => r.server],
  ["tool", (r) => r.tool],
  ["arguments", (r) => (r.arguments === null ? "" : JSON.stringify(r.arguments))],
  ["reasons", (r) => r.reasons.join("; ")],
  ["revision", (r) => r.revision],
  ["bundle_digest", (r) => r.bundle_digest],
  ["eval_micros", (r) => r.eval_micros],
  ["latency_ms", (r) => r.latency_ms],
  ["outcome", (r) => r.outcome?.status],
  ["upstream_outcome", (r) => r.upstream?.outcome?.status],
  ["hash", (r) => r.hash],
];

function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? "" : String(value);
  // a spreadsheet would run a cell starting with these as a formula
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csv(records: AuditRecord[]): string {
  const lines = [CSV_COLUMNS.map(([name]) => name).join(",")];
  for (const r of records) lines.push(CSV_COLUMNS.map(([, get]) => csvCell(get(r))).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

const EXPORT_PAGE = 1000;

async function exportRecords(
  options: FilterOptions & { includeRetention?: boolean },
): Promise<void> {
  const filter = filterOf(options);
  const kind = options.includeRetention ? undefined : ("decision" as const);
  await withStore(options, async (store) => {
    let left = filter.limit ?? Infinity;
    let afterSeq: number | undefined;
    while (left > 0) {
      const page = await store.query({
        ...filter,
        ...(kind && { kind }),
        ...(afterSeq !== undefined && { afterSeq }),
        order: "chain",
        limit: Math.min(EXPORT_PAGE, left),
      });
      if (page.length === 0) break;
      await write(page.map((r) => `${JSON.stringify(r)}\n`).join(""));
      left -= page.length;
      afterSeq = page[page.length - 1]!.seq;
    }
  });
}

/** Writes to stdout, waiting when the pipe is full (large exports). */
function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (e) => (e ? reject(e) : resolve()));
  });
}

/**
 * The public keys checkpoints must be signed with: --public-key files, else the keys the gateway
 * left in its data dir (and next to a SQLite store) and the public half of a configured
 * audit.signingKey. Null with the places looked at when there is none.
 */
function trustedKeys(options: KeyOptions): { keys: TrustedKeys | null; looked: string[] } {
  try {
    return findTrustedKeys(options);
  } catch (e) {
    if (e instanceof SigningKeyError) throw new CliError(e.message);
    throw e;
  }
}

function findTrustedKeys(options: KeyOptions): { keys: TrustedKeys | null; looked: string[] } {
  if (options.publicKey && options.publicKey.length > 0) {
    return { keys: new TrustedKeys(options.publicKey.map(readPublicKey)), looked: [] };
  }
  const found: KeyObject[] = [];
  const looked: string[] = [];
  let config: GatewayConfig | undefined;
  try {
    config = loadConfig({ file: options.config, env: process.env });
  } catch (e) {
    // an explicit --config must load; without one, the store's folder may still hold the key
    if (options.config !== undefined) throw e;
  }
  const dirs = new Set<string>();
  if (config) {
    if (config.audit.signingKey !== null) {
      looked.push("audit.signingKey");
      found.push(configuredPublicKey(config.audit.signingKey));
    }
    dirs.add(config.dataDir);
  }
  const location =
    options.store ?? (config ? storeLocation(config.audit, config.dataDir) : undefined);
  if (location !== undefined && !isPostgresLocation(location)) dirs.add(dirname(location));
  for (const dir of dirs) {
    looked.push(dir);
    found.push(...publicKeyFilesIn(dir).map(readPublicKey));
  }
  return { keys: found.length > 0 ? new TrustedKeys(found) : null, looked };
}

function noKeyError(looked: string[], what: string, alternative = ""): CliError {
  return new CliError(
    `no public key to check ${what} with (looked in ${looked.join(", ") || "nothing"}): pass --public-key <file> (the gateway writes audit-signing-key.<key id>.pub.pem into its data dir)${alternative}`,
  );
}

function readWitness(path: string): Checkpoint {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new CliError(`--checkpoint ${path}: cannot read: ${(e as Error).message}`);
  }
  try {
    return parseCheckpoint(JSON.parse(text), `--checkpoint ${path}`);
  } catch (e) {
    throw new CliError(
      e instanceof SyntaxError
        ? `--checkpoint ${path}: not JSON: ${e.message}`
        : (e as Error).message,
    );
  }
}

async function verify(options: VerifyOptions): Promise<void> {
  if (options.chainOnly && (options.checkpoint || options.publicKey)) {
    throw new CliError("--chain-only checks no signature: drop --checkpoint and --public-key");
  }
  let keys: TrustedKeys | undefined;
  if (!options.chainOnly) {
    const found = trustedKeys(options);
    if (!found.keys) {
      throw noKeyError(
        found.looked,
        "the checkpoints",
        ", or --chain-only to check the hash chain alone",
      );
    }
    keys = found.keys;
  }
  const witness = options.checkpoint === undefined ? undefined : readWitness(options.checkpoint);
  const { label, report } = await withStore(options, async (store) => ({
    label: store.label,
    report: await verifyChain(store, { keys, witness }),
  }));
  process.stdout.write(
    options.format === "json" ? `${JSON.stringify(report, null, 2)}\n` : verifyText(label, report),
  );
  if (!report.ok) process.exitCode = 1;
}

export function verifyText(label: string, report: VerifyReport): string {
  const lines: string[] = [];
  const span =
    report.records === 0
      ? "no records"
      : `${report.records} records (seq ${report.first_seq}-${report.last_seq})`;
  const { broken, signatures } = report;
  if (broken) {
    const place = broken.seq === null ? "the store" : `record seq ${broken.seq}`;
    lines.push(`${label}: ${span}: CHAIN BROKEN at ${place} (${broken.problem})`, broken.message);
    for (const p of report.problems.slice(1)) lines.push(`also (${p.problem}): ${p.message}`);
  } else if (report.records === 0) {
    lines.push(`${label}: no records`);
  } else {
    const anchor =
      report.anchor === "retention"
        ? "starts at a retention anchor (older records removed by retention)"
        : "starts at genesis";
    lines.push(`${label}: ${span}: chain intact, ${anchor}`);
  }
  if (!signatures.checked) {
    lines.push(
      "signatures not checked (--chain-only): a rewritten or truncated store passes this check",
    );
  } else if (signatures.last_signed_seq !== null) {
    const tail =
      signatures.unsigned_tail === 0
        ? "every record is covered"
        : `${signatures.unsigned_tail} records after it are not signed yet (their removal cannot be detected without a witness)`;
    lines.push(
      `signed: ${signatures.checkpoints} checkpoints by key ${signatures.key_ids.join(", ")}; last signed seq ${signatures.last_signed_seq} (${signatures.last_signed_time}); ${tail}`,
    );
  }
  if (report.witness) {
    lines.push(
      report.witness.ok
        ? `witness checkpoint seq ${report.witness.seq}: found with its hash`
        : `witness checkpoint seq ${report.witness.seq}: NOT MATCHED`,
    );
  }
  if (report.head_hash !== null) lines.push(`head hash ${report.head_hash}`);
  return `${lines.join("\n")}\n`;
}

async function latestCheckpoint(options: KeyOptions): Promise<void> {
  const { keys, looked } = trustedKeys(options);
  const checkpoint = await withStore(options, async (store) => {
    const all = await store.checkpoints();
    return all[all.length - 1] ?? null;
  });
  if (checkpoint === null) {
    throw new CliError(
      "the store has no signed checkpoint yet: a gateway signs one at its first record and at start",
    );
  }
  if (!keys) throw noKeyError(looked, "the checkpoint's signature");
  const check = checkSignature(checkpoint, keys);
  if (check !== "valid") {
    throw new CliError(
      `the latest checkpoint (seq ${checkpoint.seq}, key ${checkpoint.key_id}) ${check === "unknown-key" ? "is signed by a key that is not trusted" : "has an invalid signature"}: run \`gatehouse audit verify\``,
    );
  }
  process.stdout.write(`${JSON.stringify(checkpoint, null, 2)}\n`);
}
