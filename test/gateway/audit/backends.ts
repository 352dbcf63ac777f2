// The two decision stores under one interface for tests that must pass on both (store.test.ts,
// test/security/mcp08-*): the store, a second handle, and raw SQL on its tables, for tampering
// the way someone with write access to the database would.
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { Checkpoint, CheckpointSigner } from "../../../gateway/audit/checkpoint.ts";
import { PostgresAuditStore } from "../../../gateway/audit/postgres-store.ts";
import type { AuditRecord } from "../../../gateway/audit/record.ts";
import { SqliteAuditStore } from "../../../gateway/audit/sqlite-store.ts";
import {
  CHECKPOINT_COLUMNS,
  COLUMNS,
  checkpointRow,
  toRow,
  type AuditStore,
} from "../../../gateway/audit/store.ts";
import { POSTGRES_URL } from "./fixtures.ts";

/** The quoted table names raw SQL addresses. */
export interface Tables {
  records: string;
  checkpoints: string;
}

export interface Backend {
  store: AuditStore;
  /** a second handle on the same records (another process or replica), signing too if given */
  other(): AuditStore;
  /** `--store` (and `--schema`) arguments naming this store for the CLI */
  cliArgs: string[];
  exec(sql: (tables: Tables) => string, params?: unknown[]): Promise<void>;
  /** writes these rows as they are (replacing rows of the same seq): a forger's INSERT */
  putRecords(records: AuditRecord[]): Promise<void>;
  putCheckpoint(checkpoint: Checkpoint): Promise<void>;
  close(): Promise<void>;
}

export interface BackendOptions {
  signer?: CheckpointSigner;
  /** PostgreSQL: the schema (one per test file; emptied by close()) */
  schema: string;
}

export type BackendFactory = (dir: string, options: BackendOptions) => Promise<Backend>;

const placeholders = (n: number, from = 0, style: "?" | "$" = "?") =>
  Array.from({ length: n }, (_, i) => (style === "?" ? "?" : `$${from + i + 1}`)).join(", ");

export const sqliteBackend: BackendFactory = async (dir, { signer }) => {
  const path = join(dir, "audit.db");
  const store = new SqliteAuditStore(path, { signer });
  const others: AuditStore[] = [];
  const tables = { records: "audit_records", checkpoints: "audit_checkpoints" };
  const raw = (work: (db: Database.Database) => void) => {
    const db = new Database(path);
    try {
      work(db);
    } finally {
      db.close();
    }
  };
  return {
    store,
    cliArgs: ["--store", path],
    other() {
      const s = new SqliteAuditStore(path, { signer });
      others.push(s);
      return s;
    },
    async exec(sql, params = []) {
      raw((db) => db.prepare(sql(tables)).run(...params));
    },
    async putRecords(records) {
      raw((db) => {
        const insert = db.prepare(
          `INSERT OR REPLACE INTO ${tables.records} (${COLUMNS.join(", ")}) VALUES (${placeholders(COLUMNS.length)})`,
        );
        db.transaction(() => {
          for (const r of records) insert.run(...toRow(r, (b) => (b ? 1 : 0)));
        })();
      });
    },
    async putCheckpoint(checkpoint) {
      raw((db) =>
        db
          .prepare(
            `INSERT OR REPLACE INTO ${tables.checkpoints} (${CHECKPOINT_COLUMNS.join(", ")}) VALUES (${placeholders(CHECKPOINT_COLUMNS.length)})`,
          )
          .run(...checkpointRow(checkpoint)),
      );
    },
    async close() {
      await Promise.all([store, ...others].map((s) => s.close()));
    },
  };
};

export const postgresBackend: BackendFactory = async (_dir, { signer, schema }) => {
  const store = new PostgresAuditStore({ connectionString: POSTGRES_URL, schema, signer });
  const others: AuditStore[] = [];
  const tables = {
    records: `"${schema}".audit_records`,
    checkpoints: `"${schema}".audit_checkpoints`,
  };
  const withClient = async (work: (client: pg.Client) => Promise<unknown>) => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await work(client);
    } finally {
      await client.end();
    }
  };
  const raw = (sql: string, params: unknown[] = []) =>
    withClient((client) => client.query(sql, params));
  const backend: Backend = {
    store,
    cliArgs: ["--store", POSTGRES_URL, "--schema", schema],
    other() {
      const s = new PostgresAuditStore({ connectionString: POSTGRES_URL, schema, signer });
      others.push(s);
      return s;
    },
    exec: (sql, params) => raw(sql(tables), params),
    async putRecords(records) {
      await withClient(async (client) => {
        for (const r of records) {
          await client.query(`DELETE FROM ${tables.records} WHERE seq = $1`, [r.seq]);
          await client.query(
            `INSERT INTO ${tables.records} (${COLUMNS.join(", ")}) VALUES (${placeholders(COLUMNS.length, 0, "$")})`,
            toRow(r, (b) => b),
          );
        }
      });
    },
    async putCheckpoint(checkpoint) {
      await raw(`DELETE FROM ${tables.checkpoints} WHERE seq = $1`, [checkpoint.seq]);
      await raw(
        `INSERT INTO ${tables.checkpoints} (${CHECKPOINT_COLUMNS.join(", ")}) VALUES (${placeholders(CHECKPOINT_COLUMNS.length, 0, "$")})`,
        checkpointRow(checkpoint),
      );
    },
    async close() {
      // the tables exist once the store was used; emptied for the next test
      await store.query({ limit: 1 }).catch(() => undefined);
      await raw(`TRUNCATE ${tables.records}, ${tables.checkpoints}`);
      await Promise.all([store, ...others].map((s) => s.close()));
    },
  };
  return backend;
};
