// `gatehouse audit query | export | verify` through the real command-line program, on a real
// SQLite store and on PostgreSQL (--store postgres://...).
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createProgram } from "../../../cli/program.ts";
import { PostgresAuditStore } from "../../../gateway/audit/postgres-store.ts";
import { SqliteAuditStore } from "../../../gateway/audit/sqlite-store.ts";
import type { AuditRecord } from "../../../gateway/audit/record.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";
import { POSTGRES_URL, body, dropSchema, postgresUnavailable, uniqueSchema } from "./fixtures.ts";

/** Runs `gatehouse <args>`; returns stdout, stderr and the exit code it set. */
async function gatehouse(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = "";
  let err = "";
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation(((
    chunk: string,
    cb?: unknown,
  ) => {
    out += chunk;
    if (typeof cb === "function") cb();
    return true;
  }) as typeof process.stdout.write);
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation(((chunk: string) => {
    err += chunk;
    return true;
  }) as typeof process.stderr.write);
  process.exitCode = 0;
  try {
    await createProgram()
      .exitOverride()
      .parseAsync(["node", "gatehouse", ...args]);
  } catch (e) {
    err += e instanceof Error ? e.message : String(e);
    process.exitCode ||= 1;
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, err, code };
}

const seed = () => [
  body({ time: "2026-01-01T00:00:01.000Z", decision_id: "d-1" }),
  body({
    time: "2026-01-02T00:00:00.000Z",
    decision_id: "d-2",
    tool: "write_file",
    allow: false,
    reasons: ['writes, "refused"'],
  }),
  body({
    time: "2026-01-03T00:00:00.000Z",
    decision_id: "d-3",
    principal: { sub: "=HYPERLINK(1)", iss: null, auth: "api_key", groups: [] },
    trace_id: "e".repeat(32),
  }),
];

describe("gatehouse audit on a SQLite store", () => {
  const temp = useTempDir("gatehouse-audit-cli");
  let path: string;
  beforeEach(async () => {
    path = join(temp.path, "audit.db");
    const store = new SqliteAuditStore(path);
    await store.append(seed(), { durable: true });
    await store.close();
  });

  it("query --format json prints one JSON array, newest first, with filters", async () => {
    /** decision ids `audit query --format json <filters>` prints */
    const ids = async (...filters: string[]) => {
      const { out, code } = await gatehouse(
        ...["audit", "query", "--store", path, "--format", "json", ...filters],
      );
      expect(code).toBe(0);
      return (JSON.parse(out) as AuditRecord[]).map((r) => r.decision_id);
    };
    expect(await ids()).toEqual(["d-3", "d-2", "d-1"]);
    expect(await ids("--decision", "deny")).toEqual(["d-2"]);
    expect(await ids("--since", "2026-01-01T12:00:00Z", "--until", "2026-01-02T12:00:00Z")).toEqual(
      ["d-2"],
    );
    expect(await ids("--trace-id", "e".repeat(32), "--limit", "5")).toEqual(["d-3"]);
    expect(await ids("--limit", "2")).toEqual(["d-3", "d-2"]);
    expect(await ids("--principal", "nobody")).toEqual([]);
  });

  it("query prints a table and a CSV that a spreadsheet cannot run as formulas", async () => {
    const table = await gatehouse("audit", "query", "--store", path, "--tool", "write_file");
    expect(table.out.split("\n")[0]).toMatch(/^TIME\s+DECISION\s+PRINCIPAL/);
    expect(table.out).toMatch(/2026-01-02T00:00:00.000Z\s+deny\s+alice/);
    const csv = await gatehouse("audit", "query", "--store", path, "--format", "csv");
    const lines = csv.out.trimEnd().split("\r\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^seq,time,kind,decision,decision_id,/);
    expect(csv.out).toContain(`"writes, ""refused"""`);
    expect(csv.out).toContain(",'=HYPERLINK(1),");
  });

  it("export writes JSON Lines in chain order, each with the input to replay", async () => {
    const { out, code } = await gatehouse("audit", "export", "--store", path);
    expect(code).toBe(0);
    const lines = out
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as AuditRecord);
    expect(lines.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(lines[0]!.input).toMatchObject({ version: 1, mcp: { method: "tools/call" } });
    expect(lines[1]!.prev_hash).toBe(lines[0]!.hash);
    const one = await gatehouse(
      "audit",
      "export",
      "--store",
      path,
      "--principal",
      "alice",
      "--limit",
      "1",
    );
    expect(one.out.trimEnd().split("\n")).toHaveLength(1);
  });

  it("verify exits 0 on an intact chain and 1 naming the first broken record", async () => {
    const ok = await gatehouse("audit", "verify", "--store", path);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(
      /3 records \(seq 1-3\): chain intact, starts at genesis\nhead hash [0-9a-f]{64}/,
    );
    const db = new Database(path);
    db.prepare("UPDATE audit_records SET allow = 1 WHERE seq = 2").run();
    db.close();
    const broken = await gatehouse("audit", "verify", "--store", path);
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(
      /CHAIN BROKEN at record seq 2 \(edited\)\nrecord seq 2 \(decision d-2\) was edited/,
    );
    const json = await gatehouse("audit", "verify", "--store", path, "--format", "json");
    expect(JSON.parse(json.out)).toMatchObject({
      ok: false,
      broken: { seq: 2, problem: "edited" },
    });
  });

  it("takes the store from the gateway config when --store is absent", async () => {
    const config = temp.put("gatehouse.yaml", `dataDir: ${temp.path}\n`);
    const { out, code } = await gatehouse("audit", "verify", "--config", config);
    expect(code).toBe(0);
    expect(out).toContain(`sqlite:${path}: 3 records`);
  });

  it("explains bad options and a missing store", async () => {
    const missing = await gatehouse("audit", "query", "--store", join(temp.path, "nope.db"));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no audit store at .*nope\.db/);
    const since = await gatehouse("audit", "query", "--store", path, "--since", "last tuesday");
    expect(since.err).toMatch(/--since: expected an RFC 3339 time .* or a duration like 24h/);
    const trace = await gatehouse("audit", "query", "--store", path, "--trace-id", "xyz");
    expect(trace.err).toMatch(/--trace-id: expected 32 lowercase hex digits/);
  });
});

const skipPostgres = await postgresUnavailable();

describe.skipIf(skipPostgres !== null)("gatehouse audit on PostgreSQL", () => {
  const schema = uniqueSchema();
  afterAll(async () => {
    await dropSchema(schema);
  });

  it("queries, exports and verifies with --store postgres://", async () => {
    const store = new PostgresAuditStore({ connectionString: POSTGRES_URL, schema });
    await store.append(seed(), { durable: true });
    await store.close();
    const query = await gatehouse(
      "audit",
      "query",
      "--store",
      POSTGRES_URL,
      "--schema",
      schema,
      "--format",
      "json",
      "--decision",
      "allow",
    );
    expect((JSON.parse(query.out) as AuditRecord[]).map((r) => r.decision_id)).toEqual([
      "d-3",
      "d-1",
    ]);
    const exported = await gatehouse(
      "audit",
      "export",
      "--store",
      POSTGRES_URL,
      "--schema",
      schema,
    );
    expect(exported.out.trimEnd().split("\n")).toHaveLength(3);
    const verify = await gatehouse("audit", "verify", "--store", POSTGRES_URL, "--schema", schema);
    expect(verify.code).toBe(0);
    expect(verify.out).toContain("3 records (seq 1-3): chain intact");
  });
});
