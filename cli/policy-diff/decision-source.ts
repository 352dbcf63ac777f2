// Where recorded decisions come from: a JSON Lines export, or the gateway's audit store.
import { closeSync, openSync, readSync } from "node:fs";
import { CliError } from "../failure.ts";
import { readJsonLines, readRecord, type RecordedDecision } from "./records.ts";

export interface DecisionSource {
  /** what to show for the source (a URL without its password) */
  label: string;
  records(): AsyncIterable<RecordedDecision>;
  close(): Promise<void>;
}

const SQLITE_HEADER = "SQLite format 3\0";

export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

function startsWithSqliteHeader(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const head = Buffer.alloc(SQLITE_HEADER.length);
    readSync(fd, head, 0, head.length, 0);
    return head.toString("latin1") === SQLITE_HEADER;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface SourceOptions {
  /** PostgreSQL schema of the audit tables (default: the gateway's default, gatehouse) */
  schema?: string;
}

/** Records in store pages of this size: memory stays bounded whatever the store holds. */
const STORE_PAGE = 500;

export async function openDecisionSource(
  spec: string,
  options: SourceOptions = {},
): Promise<DecisionSource> {
  if (isPostgresUrl(spec) || startsWithSqliteHeader(spec)) return openStore(spec, options);
  return {
    label: spec,
    records: () => readJsonLines(spec),
    close: async () => {},
  };
}

/** The gateway's decision store (SQLite file or PostgreSQL), read-only, in chain order. */
async function openStore(spec: string, options: SourceOptions): Promise<DecisionSource> {
  // imported here: the store drivers (better-sqlite3, pg) load only when a store is read
  const { openAuditStore, DEFAULT_AUDIT_CONFIG } = await import("../../gateway/audit/index.ts");
  const { postgresLabel } = await import("../../gateway/audit/postgres-store.ts");
  let store: Awaited<ReturnType<typeof openAuditStore>>;
  try {
    store = openAuditStore(spec, {
      schema: options.schema ?? DEFAULT_AUDIT_CONFIG.schema,
      readonly: true,
    });
  } catch (e) {
    throw new CliError(
      `--decisions ${isPostgresUrl(spec) ? postgresLabel(spec) : spec}: cannot open the audit store: ${(e as Error).message}`,
    );
  }
  async function* records(): AsyncGenerator<RecordedDecision> {
    try {
      for await (const record of store.scan(STORE_PAGE)) {
        const decision = readRecord(record, `${store.label} seq ${record.seq}`);
        if (decision) yield decision;
      }
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError(`audit store ${store.label}: ${(e as Error).message}`);
    }
  }
  return { label: store.label, records, close: () => store.close() };
}
