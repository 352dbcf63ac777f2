// The shared decision store for replicas: PostgreSQL. Every append is one transaction holding a
// transaction-level advisory lock for the schema's chain, so appends from several gateways still
// form one linear hash chain. Tables are created when missing.
import { createRequire } from "node:module";
import type pg from "pg";
import {
  dueCheckpoints,
  type Checkpoint,
  type CheckpointPromise,
  type CheckpointReason,
  type CheckpointSigner,
} from "./checkpoint.ts";
import {
  GENESIS_HASH,
  chain,
  type AuditRecord,
  type RecordBody,
  type RetentionFacts,
} from "./record.ts";
import {
  CHECKPOINT_COLUMNS,
  CHECKPOINT_DDL_COLUMNS,
  COLUMNS,
  RECORD_DDL_COLUMNS,
  RECORD_INDEXES,
  checkpointFromRow,
  checkpointRow,
  filterSql,
  fromRow,
  toRow,
  type AppendOptions,
  type AuditFilter,
  type AuditStore,
} from "./store.ts";

export interface PostgresStoreOptions {
  connectionString: string;
  /** plain identifier; created when missing */
  schema: string;
  /** how long to wait for a connection before the store counts as unavailable */
  connectTimeoutMs?: number;
  /** signs checkpoints as records are appended */
  signer?: CheckpointSigner;
}

const pgBool = (b: boolean) => b;

/** The URL without its password, for messages. */
export function postgresLabel(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "postgres:(unparsable URL)";
  }
}

export class PostgresAuditStore implements AuditStore {
  readonly label: string;
  private readonly pool: pg.Pool;
  private readonly table: string;
  private readonly checkpointTable: string;
  private readonly lockKey: string;
  private ready: Promise<void> | undefined;

  constructor(private readonly options: PostgresStoreOptions) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(options.schema)) {
      throw new Error(
        `audit schema ${JSON.stringify(options.schema)} must be a plain SQL identifier`,
      );
    }
    this.label = `${postgresLabel(options.connectionString)} (schema ${options.schema})`;
    this.table = `"${options.schema}".audit_records`;
    this.checkpointTable = `"${options.schema}".audit_checkpoints`;
    this.lockKey = `gatehouse.audit:${options.schema}`;
    // pg is loaded when a PostgreSQL store opens: SQLite stores and the CLI never pay for it
    const { Pool } = createRequire(import.meta.url)("pg") as typeof pg;
    this.pool = new Pool({
      connectionString: options.connectionString,
      max: 4,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
    });
    // a client losing its server between queries must not crash the gateway (its error event
    // would be unhandled); the next query on it reports the failure
    this.pool.on("error", () => undefined);
    this.pool.on("connect", (client) => client.on("error", () => undefined));
  }

  private setup(): Promise<void> {
    this.ready ??= this.transaction(async (client) => {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.options.schema}"`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (${RECORD_DDL_COLUMNS({ seq: "BIGINT", int: "BIGINT", real: "DOUBLE PRECISION", bool: "BOOLEAN" })})`,
      );
      for (const column of RECORD_INDEXES) {
        await client.query(
          `CREATE INDEX IF NOT EXISTS audit_records_${column} ON ${this.table} (${column})`,
        );
      }
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.checkpointTable} (${CHECKPOINT_DDL_COLUMNS("BIGINT")})`,
      );
    }).catch((e: unknown) => {
      this.ready = undefined; // retried on the next use
      throw e;
    });
    return this.ready;
  }

  /** Runs `work` in a transaction holding the chain's advisory lock. */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [this.lockKey]);
      const result = await work(client);
      await client.query("COMMIT");
      client.release();
      return result;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      client.release(true); // a connection that failed mid-transaction is not reused
      throw e;
    }
  }

  async append(bodies: RecordBody[], _options: AppendOptions): Promise<AuditRecord[]> {
    if (bodies.length === 0) return [];
    await this.setup();
    return this.transaction((client) => this.appendIn(client, bodies));
  }

  /** `anchor`: the last body is a retention record, signed as the chain's new anchor */
  private async appendIn(
    client: pg.PoolClient,
    bodies: RecordBody[],
    anchor = false,
  ): Promise<AuditRecord[]> {
    const known = await client.query<{ id: string }>(
      `SELECT id FROM ${this.table} WHERE id = ANY($1)`,
      [bodies.map((b) => b.id)],
    );
    const seen = new Set(known.rows.map((r) => r.id));
    const fresh = bodies.filter((b) => !seen.has(b.id));
    if (fresh.length === 0) return [];
    const head = await client.query<{ seq: string; hash: string }>(
      `SELECT seq, hash FROM ${this.table} ORDER BY seq DESC LIMIT 1`,
    );
    const top = head.rows[0];
    const records = chain(fresh, top?.hash ?? GENESIS_HASH, Number(top?.seq ?? 0) + 1);
    const checkpoints = this.options.signer
      ? dueCheckpoints(records, await this.lastCheckpoint(client), this.options.signer, anchor)
      : [];
    const values: unknown[] = [];
    const tuples = records.map((record) => {
      const row = toRow(record, pgBool);
      const start = values.length;
      values.push(...row);
      return `(${row.map((_, i) => `$${start + i + 1}`).join(", ")})`;
    });
    await client.query(
      `INSERT INTO ${this.table} (${COLUMNS.join(", ")}) VALUES ${tuples.join(", ")}`,
      values,
    );
    for (const checkpoint of checkpoints) await this.insertCheckpoint(client, checkpoint);
    return records;
  }

  private async lastCheckpoint(client: pg.PoolClient): Promise<CheckpointPromise | null> {
    const last = await client.query<{ seq: string; next_by: string }>(
      `SELECT seq, next_by FROM ${this.checkpointTable} ORDER BY seq DESC LIMIT 1`,
    );
    const row = last.rows[0];
    return row ? { seq: Number(row.seq), next_by: Number(row.next_by) } : null;
  }

  /** a checkpoint never replaces one already signed for that record */
  private async insertCheckpoint(client: pg.PoolClient, checkpoint: Checkpoint): Promise<void> {
    await client.query(
      `INSERT INTO ${this.checkpointTable} (${CHECKPOINT_COLUMNS.join(", ")}) VALUES (${CHECKPOINT_COLUMNS.map((_, i) => `$${i + 1}`).join(", ")}) ON CONFLICT (seq) DO NOTHING`,
      checkpointRow(checkpoint),
    );
  }

  async checkpoints(): Promise<Checkpoint[]> {
    await this.setup();
    const rows = await this.pool.query(`SELECT * FROM ${this.checkpointTable} ORDER BY seq`);
    return rows.rows.map(checkpointFromRow);
  }

  async checkpoint(reason: CheckpointReason): Promise<Checkpoint | null> {
    const signer = this.options.signer;
    if (!signer) return null;
    await this.setup();
    return this.transaction(async (client) => {
      const head = await client.query<{ seq: string; hash: string }>(
        `SELECT seq, hash FROM ${this.table} ORDER BY seq DESC LIMIT 1`,
      );
      const top = head.rows[0];
      const last = await this.lastCheckpoint(client);
      // nothing new; or a head below the last checkpoint (truncated): never signed over
      if (!top || (last && Number(top.seq) <= last.seq)) return null;
      const checkpoint = signer.sign({ seq: Number(top.seq), hash: top.hash }, reason);
      await this.insertCheckpoint(client, checkpoint);
      return checkpoint;
    });
  }

  async query(filter: AuditFilter): Promise<AuditRecord[]> {
    await this.setup();
    const params: unknown[] = [];
    const sql = `SELECT * FROM ${this.table}${filterSql(filter, (v) => (params.push(v), `$${params.length}`), pgBool)}`;
    return (await this.pool.query(sql, params)).rows.map(fromRow);
  }

  async *scan(pageSize = 1000): AsyncIterable<AuditRecord> {
    await this.setup();
    let after = -1;
    for (;;) {
      const page = await this.pool.query(
        `SELECT * FROM ${this.table} WHERE seq > $1 ORDER BY seq LIMIT $2`,
        [after, pageSize],
      );
      const rows = page.rows.map(fromRow);
      yield* rows;
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.seq;
    }
  }

  async successorOf(hash: string): Promise<AuditRecord | null> {
    await this.setup();
    const found = await this.pool.query(
      `SELECT * FROM ${this.table} WHERE prev_hash = $1 ORDER BY seq LIMIT 1`,
      [hash],
    );
    return found.rows[0] ? fromRow(found.rows[0]) : null;
  }

  async prune(
    cutoff: string,
    describe: (facts: RetentionFacts) => RecordBody,
  ): Promise<AuditRecord | null> {
    await this.setup();
    return this.transaction(async (client) => {
      const keep = await client.query<{ seq: string | null }>(
        `SELECT MIN(seq) AS seq FROM ${this.table} WHERE time >= $1`,
        [cutoff],
      );
      const keepSeq = keep.rows[0]?.seq ?? null;
      const old = await client.query<{ first: string | null; last: string | null; n: string }>(
        `SELECT MIN(seq) AS first, MAX(seq) AS last, COUNT(*) AS n FROM ${this.table}${keepSeq === null ? "" : " WHERE seq < $1"}`,
        keepSeq === null ? [] : [keepSeq],
      );
      const { first, last, n } = old.rows[0]!;
      if (Number(n) === 0 || first === null || last === null) return null;
      const lastHash = await client.query<{ hash: string }>(
        `SELECT hash FROM ${this.table} WHERE seq = $1`,
        [last],
      );
      // appended before the delete, so it chains to the true head even when nothing is kept
      const [record] = await this.appendIn(
        client,
        [
          describe({
            cutoff,
            removed: Number(n),
            first_seq: Number(first),
            last_seq: Number(last),
            last_hash: lastHash.rows[0]!.hash,
          }),
        ],
        true,
      );
      await client.query(`DELETE FROM ${this.table} WHERE seq <= $1`, [last]);
      await client.query(`DELETE FROM ${this.checkpointTable} WHERE seq <= $1`, [last]);
      return record ?? null;
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
