// `gatehouse audit query | export | verify | checkpoint` through the real command-line program,
// on a real SQLite store and on PostgreSQL (--store postgres://...), signed with a key the way a
// gateway signs its store.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { PostgresAuditStore } from "../../../gateway/audit/postgres-store.ts";
import { SqliteAuditStore } from "../../../gateway/audit/sqlite-store.ts";
import { CheckpointSigner, type Checkpoint } from "../../../gateway/audit/checkpoint.ts";
import type { AuditRecord } from "../../../gateway/audit/record.ts";
import { loadSigningKey, publicKeyPath } from "../../../gateway/audit/signing-key.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";
import { gatehouse } from "./cli-run.ts";
import { POSTGRES_URL, body, dropSchema, postgresUnavailable, uniqueSchema } from "./fixtures.ts";

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

/** A signer whose key lives in `dir` (as in a gateway's data dir), and its public key file. */
function signerIn(dir: string): { signer: CheckpointSigner; publicKey: string } {
  const key = loadSigningKey(null, dir);
  return { signer: new CheckpointSigner(key, 1000), publicKey: publicKeyPath(dir, key.keyId) };
}

describe("gatehouse audit on a SQLite store", () => {
  const temp = useTempDir("gatehouse-audit-cli");
  let path: string;
  let keyId: string;
  beforeEach(async () => {
    path = join(temp.path, "audit.db");
    const { signer } = signerIn(temp.path);
    keyId = signer.keyId;
    const store = new SqliteAuditStore(path, { signer });
    await store.append(seed(), { durable: true });
    await store.checkpoint("close");
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
      new RegExp(
        `3 records \\(seq 1-3\\): chain intact, starts at genesis\nsigned: 2 checkpoints by key ${keyId}; last signed seq 3 \\([^)]+\\); every record is covered\nhead hash [0-9a-f]{64}`,
      ),
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

  it("verify needs a public key, or --chain-only to check the hash chain alone", async () => {
    const bare = join(temp.path, "elsewhere", "audit.db");
    mkdirSync(join(temp.path, "elsewhere"));
    const store = new SqliteAuditStore(bare);
    await store.append(seed(), { durable: true });
    await store.close();
    const config = temp.put("empty.yaml", `dataDir: ${join(temp.path, "no-data-dir")}\n`);
    const refused = await gatehouse("audit", "verify", "--store", bare, "--config", config);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/no public key to check the checkpoints .*pass --public-key/);
    expect(refused.err).toMatch(/or --chain-only/);
    const chain = await gatehouse("audit", "verify", "--store", bare, "--chain-only");
    expect(chain.code).toBe(0);
    expect(chain.out).toMatch(/chain intact[\s\S]*signatures not checked \(--chain-only\)/);
    // with the key, the unsigned store is refused
    const { publicKey } = signerIn(temp.path);
    const unsigned = await gatehouse("audit", "verify", "--store", bare, "--public-key", publicKey);
    expect(unsigned.code).toBe(1);
    expect(unsigned.out).toMatch(/CHAIN BROKEN at the store \(unsigned\)/);
  });

  it("verify refuses checkpoints signed by a key other than --public-key", async () => {
    const { publicKey } = signerIn(join(temp.path, "another-gateway"));
    const { out, code } = await gatehouse(
      "audit",
      "verify",
      "--store",
      path,
      "--public-key",
      publicKey,
    );
    expect(code).toBe(1);
    expect(out).toMatch(
      new RegExp(
        `\\(unknown-key\\)\nthe checkpoint at seq 1 is signed by key ${keyId}, not by a trusted key`,
      ),
    );
  });

  it("checkpoint prints the latest signed head; verify --checkpoint checks the store against it", async () => {
    const printed = await gatehouse("audit", "checkpoint", "--store", path);
    expect(printed.code).toBe(0);
    const checkpoint = JSON.parse(printed.out) as Checkpoint;
    expect(checkpoint).toMatchObject({ seq: 3, key_id: keyId, reason: "close" });
    const witness = temp.put("witness.json", printed.out);
    const checked = await gatehouse("audit", "verify", "--store", path, "--checkpoint", witness);
    expect(checked.code).toBe(0);
    expect(checked.out).toContain("witness checkpoint seq 3: found with its hash");
    const json = await gatehouse(
      ...["audit", "verify", "--store", path, "--checkpoint", witness, "--format", "json"],
    );
    expect(JSON.parse(json.out)).toMatchObject({ ok: true, witness: { seq: 3, ok: true } });
    writeFileSync(witness, JSON.stringify({ ...checkpoint, hash: "xyz" }));
    const bad = await gatehouse("audit", "verify", "--store", path, "--checkpoint", witness);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--checkpoint .*witness\.json: hash: expected 64 hex digits/);
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

  const temp = useTempDir("gatehouse-audit-cli-pg");

  it("queries, exports and verifies with --store postgres://", async () => {
    const { signer, publicKey } = signerIn(temp.path);
    const store = new PostgresAuditStore({ connectionString: POSTGRES_URL, schema, signer });
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
    const verify = await gatehouse(
      ...[
        "audit",
        "verify",
        "--store",
        POSTGRES_URL,
        "--schema",
        schema,
        "--public-key",
        publicKey,
      ],
    );
    expect(verify.code).toBe(0);
    expect(verify.out).toContain("3 records (seq 1-3): chain intact");
    expect(verify.out).toContain(`key ${signer.keyId}; last signed seq 1`);
  });
});
