// The embedded decision store: one SQLite file in WAL mode. Appends are synchronous transactions
// (BEGIN IMMEDIATE, so several processes on one file still extend one linear chain). A committed
// WAL append survives the process being killed; denials also wait for an fsync (synchronous=FULL)
// so they survive a machine crash too. The file, its -wal and -shm are 0600 in a 0700 folder.
import { dirname } from "node:path";
import Database from "better-sqlite3";
import {
  dueCheckpoints,
  type Checkpoint,
  type CheckpointPromise,
  type CheckpointReason,
  type CheckpointSigner,
} from "./checkpoint.ts";
import { ensurePrivateDir, ensurePrivateFile, tightenFiles } from "./private-files.ts";
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
  type SyncAuditStore,
} from "./store.ts";

const TABLE = "audit_records";
const CHECKPOINTS = "audit_checkpoints";
const sqliteBool = (b: boolean) => (b ? 1 : 0);

export interface SqliteStoreOptions {
  /** open an existing file without writing (the audit CLI) */
  readonly?: boolean;
  /** signs checkpoints as records are appended */
  signer?: CheckpointSigner;
}

/** The database file and the files SQLite keeps next to it. */
export function sqliteFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`, `${path}-journal`];
}

export class SqliteAuditStore implements SyncAuditStore {
  readonly label: string;
  private readonly db: Database.Database;
  /** undefined when opened read-only (the audit CLI) */
  private readonly insert: Database.Statement | undefined;
  private readonly head: Database.Statement;
  private readonly exists: Database.Statement;
  /** these three are unset when opened read-only (the signer also when none is given) */
  private readonly signer: CheckpointSigner | undefined;
  private readonly lastCheckpoint: Database.Statement | undefined;
  private readonly insertCheckpoint: Database.Statement | undefined;

  constructor(
    readonly path: string,
    options: SqliteStoreOptions = {},
  ) {
    this.label = `sqlite:${path}`;
    this.signer = options.readonly ? undefined : options.signer;
    if (!options.readonly) {
      ensurePrivateDir(dirname(path));
      // created 0600 before SQLite opens it: its -wal and -shm take the database file's mode
      tightenFiles(sqliteFiles(path));
      ensurePrivateFile(path);
    }
    this.db = new Database(path, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
    });
    this.db.pragma("busy_timeout = 5000");
    if (!options.readonly) {
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = NORMAL");
      this.db.exec(
        `CREATE TABLE IF NOT EXISTS ${TABLE} (${RECORD_DDL_COLUMNS({ seq: "INTEGER", int: "INTEGER", real: "REAL", bool: "INTEGER" })})`,
      );
      for (const column of RECORD_INDEXES) {
        this.db.exec(`CREATE INDEX IF NOT EXISTS ${TABLE}_${column} ON ${TABLE} (${column})`);
      }
      this.db.exec(
        `CREATE TABLE IF NOT EXISTS ${CHECKPOINTS} (${CHECKPOINT_DDL_COLUMNS("INTEGER")})`,
      );
      this.lastCheckpoint = this.db.prepare(
        `SELECT seq, next_by FROM ${CHECKPOINTS} ORDER BY seq DESC LIMIT 1`,
      );
      // a checkpoint never replaces one already signed for that record
      this.insertCheckpoint = this.db.prepare(
        `INSERT OR IGNORE INTO ${CHECKPOINTS} (${CHECKPOINT_COLUMNS.join(", ")}) VALUES (${CHECKPOINT_COLUMNS.map(() => "?").join(", ")})`,
      );
    }
    this.insert = options.readonly
      ? undefined
      : this.db.prepare(
          `INSERT INTO ${TABLE} (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")})`,
        );
    this.head = this.db.prepare(`SELECT seq, hash FROM ${TABLE} ORDER BY seq DESC LIMIT 1`);
    this.exists = this.db.prepare(`SELECT 1 FROM ${TABLE} WHERE id = ?`);
  }

  appendSync(bodies: RecordBody[], options: AppendOptions): AuditRecord[] {
    if (options.durable) this.db.pragma("synchronous = FULL");
    try {
      return this.db.transaction(() => this.appendInTransaction(bodies)).immediate();
    } finally {
      if (options.durable) this.db.pragma("synchronous = NORMAL");
    }
  }

  async append(bodies: RecordBody[], options: AppendOptions): Promise<AuditRecord[]> {
    return this.appendSync(bodies, options);
  }

  /** `anchor`: the last body is a retention record, signed as the chain's new anchor */
  private appendInTransaction(bodies: RecordBody[], anchor = false): AuditRecord[] {
    const insert = this.insert;
    if (!insert) throw new Error(`${this.label} is open read-only`);
    const fresh = bodies.filter((b) => this.exists.get(b.id) === undefined);
    const head = this.head.get() as { seq: number; hash: string } | undefined;
    const records = chain(fresh, head?.hash ?? GENESIS_HASH, (head?.seq ?? 0) + 1);
    for (const record of records) insert.run(...toRow(record, sqliteBool));
    if (this.signer && records.length > 0) {
      const last = (this.lastCheckpoint!.get() as CheckpointPromise | undefined) ?? null;
      for (const checkpoint of dueCheckpoints(records, last, this.signer, anchor)) {
        this.insertCheckpoint!.run(...checkpointRow(checkpoint));
      }
    }
    return records;
  }

  async query(filter: AuditFilter): Promise<AuditRecord[]> {
    const params: unknown[] = [];
    const sql = `SELECT * FROM ${TABLE}${filterSql(filter, (v) => (params.push(v), "?"), sqliteBool)}`;
    return (this.db.prepare(sql).all(...params) as Record<string, unknown>[]).map(fromRow);
  }

  async *scan(pageSize = 1000): AsyncIterable<AuditRecord> {
    const page = this.db.prepare(`SELECT * FROM ${TABLE} WHERE seq > ? ORDER BY seq LIMIT ?`);
    let after = -Infinity;
    for (;;) {
      const rows = (page.all(after, pageSize) as Record<string, unknown>[]).map(fromRow);
      yield* rows;
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.seq;
    }
  }

  async successorOf(hash: string): Promise<AuditRecord | null> {
    const row = this.db
      .prepare(`SELECT * FROM ${TABLE} WHERE prev_hash = ? ORDER BY seq LIMIT 1`)
      .get(hash) as Record<string, unknown> | undefined;
    return row ? fromRow(row) : null;
  }

  async prune(
    cutoff: string,
    describe: (facts: RetentionFacts) => RecordBody,
  ): Promise<AuditRecord | null> {
    const run = this.db.transaction((): AuditRecord | null => {
      const keep = this.db
        .prepare(`SELECT MIN(seq) AS seq FROM ${TABLE} WHERE time >= ?`)
        .get(cutoff) as { seq: number | null };
      const old = this.db
        .prepare(
          `SELECT MIN(seq) AS first, MAX(seq) AS last, COUNT(*) AS n FROM ${TABLE}${keep.seq === null ? "" : " WHERE seq < ?"}`,
        )
        .get(...(keep.seq === null ? [] : [keep.seq])) as {
        first: number | null;
        last: number | null;
        n: number;
      };
      if (old.n === 0 || old.first === null || old.last === null) return null;
      const last = this.db.prepare(`SELECT hash FROM ${TABLE} WHERE seq = ?`).get(old.last) as {
        hash: string;
      };
      // appended before the delete, so it chains to the true head even when nothing is kept
      const [record] = this.appendInTransaction(
        [
          describe({
            cutoff,
            removed: old.n,
            first_seq: old.first,
            last_seq: old.last,
            last_hash: last.hash,
          }),
        ],
        true,
      );
      this.db.prepare(`DELETE FROM ${TABLE} WHERE seq <= ?`).run(old.last);
      this.db.prepare(`DELETE FROM ${CHECKPOINTS} WHERE seq <= ?`).run(old.last);
      return record ?? null;
    });
    return run.immediate();
  }

  async checkpoints(): Promise<Checkpoint[]> {
    // a store written before checkpoints existed, opened read-only, has no such table
    const table = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
      .get(CHECKPOINTS);
    if (table === undefined) return [];
    return (
      this.db.prepare(`SELECT * FROM ${CHECKPOINTS} ORDER BY seq`).all() as Record<
        string,
        unknown
      >[]
    ).map(checkpointFromRow);
  }

  async checkpoint(reason: CheckpointReason): Promise<Checkpoint | null> {
    const signer = this.signer;
    if (!signer) return null;
    const run = this.db.transaction((): Checkpoint | null => {
      const head = this.head.get() as { seq: number; hash: string } | undefined;
      const last = this.lastCheckpoint!.get() as CheckpointPromise | undefined;
      // nothing new; or a head below the last checkpoint (truncated): never signed over
      if (!head || (last && head.seq <= last.seq)) return null;
      const checkpoint = signer.sign(head, reason);
      this.insertCheckpoint!.run(...checkpointRow(checkpoint));
      return checkpoint;
    });
    return run.immediate();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
