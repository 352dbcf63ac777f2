// gatehouse audit query | export | verify: read the decision store (docs/audit.md).
import { existsSync } from "node:fs";
import { Option, type Command } from "commander";
import { parseDuration } from "../../gateway/audit/config.ts";
import { openAuditStore, storeLocation } from "../../gateway/audit/open.ts";
import type { AuditRecord } from "../../gateway/audit/record.ts";
import type { AuditFilter, AuditStore } from "../../gateway/audit/store.ts";
import { verifyChain, type VerifyReport } from "../../gateway/audit/verify.ts";
import { isPostgresLocation } from "../../gateway/audit/config.ts";
import { loadConfig } from "../../gateway/config.ts";
import { CliError } from "../failure.ts";

interface StoreOptions {
  store?: string;
  schema?: string;
  config?: string;
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

export function registerAuditCommands(program: Command): void {
  const audit = program
    .command("audit")
    .description("query, export and verify the decision records (docs/audit.md)");

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

  storeOptions(audit.command("verify"))
    .description("check the hash chain; exit 1 and name the first broken record if it is broken")
    .addOption(
      new Option("--format <format>", "output format").choices(["text", "json"]).default("text"),
    )
    .action((options: StoreOptions & { format: "text" | "json" }) => verify(options));
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

async function verify(options: StoreOptions & { format: "text" | "json" }): Promise<void> {
  const { label, report } = await withStore(options, async (store) => ({
    label: store.label,
    report: await verifyChain(store),
  }));
  process.stdout.write(
    options.format === "json" ? `${JSON.stringify(report, null, 2)}\n` : verifyText(label, report),
  );
  if (!report.ok) process.exitCode = 1;
}

export function verifyText(label: string, report: VerifyReport): string {
  if (report.records === 0) return `${label}: no records\n`;
  const span = `${report.records} records (seq ${report.first_seq}-${report.last_seq})`;
  if (report.broken) {
    return `${label}: ${span}: CHAIN BROKEN at record seq ${report.broken.seq} (${report.broken.problem})\n${report.broken.message}\n`;
  }
  const anchor =
    report.anchor === "retention"
      ? "starts at a retention anchor (older records removed by retention)"
      : "starts at genesis";
  return `${label}: ${span}: chain intact, ${anchor}\nhead hash ${report.head_hash}\n`;
}
