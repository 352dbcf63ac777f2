// One suite, two stores: SQLite (embedded) and PostgreSQL (shared by replicas) must behave alike:
// chaining, idempotent appends, query filters, retention, signed checkpoints, and tamper
// detection by verify.
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { CheckpointSigner } from "../../../gateway/audit/checkpoint.ts";
import { retentionBody } from "../../../gateway/audit/record-builder.ts";
import { GENESIS_HASH, bodyOf, type AuditRecord } from "../../../gateway/audit/record.ts";
import { TrustedKeys, loadSigningKey } from "../../../gateway/audit/signing-key.ts";
import type { AuditStore } from "../../../gateway/audit/store.ts";
import { verifyChain } from "../../../gateway/audit/verify.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";
import { postgresBackend, sqliteBackend, type Backend, type BackendFactory } from "./backends.ts";
import { body, dropSchema, postgresUnavailable, uniqueSchema } from "./fixtures.ts";

/** one schema per run, emptied between tests (creating tables per test is slow) */
const schema = uniqueSchema();
afterAll(async () => {
  if (skipPostgres === null) await dropSchema(schema);
});

const skipPostgres = await postgresUnavailable();

const backends: [string, BackendFactory, string | null][] = [
  ["SQLite", sqliteBackend, null],
  ["PostgreSQL", postgresBackend, skipPostgres],
];

for (const [name, factory, skipReason] of backends) {
  describe.skipIf(skipReason !== null)(`${name} audit store`, () => {
    const temp = useTempDir("gatehouse-audit-store");
    let backend: Backend;
    beforeEach(async () => {
      backend = await factory(temp.path, { schema });
    });
    afterEach(async () => {
      await backend.close();
    });

    async function appendMany(n: number, make = (i: number) => body({ reasons: [`r${i}`] })) {
      const out: AuditRecord[] = [];
      for (let i = 0; i < n; i++)
        out.push(...(await backend.store.append([make(i)], { durable: false })));
      return out;
    }

    it("chains records and returns exactly what was stored", async () => {
      const bodies = [body(), body({ allow: false, reasons: ["writes are refused"] }), body()];
      const stored = await backend.store.append(bodies, { durable: true });
      expect(stored.map((r) => r.seq)).toEqual([1, 2, 3]);
      expect(stored[0]!.prev_hash).toBe(GENESIS_HASH);
      expect(stored[1]!.prev_hash).toBe(stored[0]!.hash);
      expect(stored[2]!.prev_hash).toBe(stored[1]!.hash);
      const read = await backend.store.query({ order: "chain" });
      expect(read).toEqual(stored);
      expect(read.map(bodyOf)).toEqual(bodies.map(bodyOf));
    });

    it("skips a body whose id is already stored (spool replay is idempotent)", async () => {
      const first = body();
      await backend.store.append([first], { durable: false });
      const again = await backend.store.append([first, body()], { durable: false });
      expect(again).toHaveLength(1);
      expect((await backend.store.query({})).length).toBe(2);
    });

    it("keeps one linear chain when two handles append concurrently", async () => {
      const other = backend.other();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? backend.store : other).append([body(), body()], { durable: false }),
        ),
      );
      const report = await verifyChain(backend.store);
      expect(report).toMatchObject({ ok: true, records: 40, anchor: "genesis", broken: null });
    });

    it("filters queries by principal, tool, server, decision, time, revision and trace id", async () => {
      await backend.store.append(
        [
          body({ principal: { sub: "bob", iss: null, auth: "api_key", groups: [] } }),
          body({ tool: "write_file", allow: false, revision: "rev-2" }),
          body({ server: "github", tool: "create_issue", trace_id: "f".repeat(32) }),
          body({ time: "2026-03-01T00:00:00.000Z" }),
        ],
        { durable: false },
      );
      const ids = async (filter: Parameters<AuditStore["query"]>[0]) =>
        (await backend.store.query({ ...filter, order: "chain" })).map((r) => r.seq);
      expect(await ids({ principal: "bob" })).toEqual([1]);
      expect(await ids({ tool: "write_file" })).toEqual([2]);
      expect(await ids({ server: "github" })).toEqual([3]);
      expect(await ids({ decision: "deny" })).toEqual([2]);
      expect(await ids({ decision: "allow" })).toEqual([1, 3, 4]);
      expect(await ids({ since: "2026-02-01T00:00:00.000Z" })).toEqual([4]);
      expect(await ids({ until: "2026-02-01T00:00:00.000Z" })).toEqual([1, 2, 3]);
      expect(await ids({ revision: "rev-2" })).toEqual([2]);
      expect(await ids({ traceId: "f".repeat(32) })).toEqual([3]);
      expect(await ids({ principal: "alice", decision: "allow" })).toEqual([3, 4]);
      expect((await backend.store.query({ limit: 2 })).map((r) => r.seq)).toEqual([4, 3]);
    });

    it("verify passes an intact chain and reports its head", async () => {
      const stored = await appendMany(5);
      expect(await verifyChain(backend.store)).toMatchObject({
        ok: true,
        records: 5,
        first_seq: 1,
        last_seq: 5,
        head_hash: stored[4]!.hash,
        anchor: "genesis",
        broken: null,
        problems: [],
        signatures: { checked: false },
        witness: null,
      });
    });

    it("verify names an edited record", async () => {
      await appendMany(5);
      await backend.exec(
        ({ records: t }) => `UPDATE ${t} SET reasons = '["nothing to see"]' WHERE seq = 3`,
      );
      const report = await verifyChain(backend.store);
      expect(report.ok).toBe(false);
      expect(report.broken).toMatchObject({ seq: 3, problem: "edited" });
      expect(report.broken!.message).toMatch(/record seq 3 \(decision dec-\d+\) was edited/);
    });

    it("verify names an edited decision even when only an indexed column changed", async () => {
      await appendMany(3);
      await backend.exec(
        ({ records: t }) => `UPDATE ${t} SET principal_sub = 'mallory' WHERE seq = 2`,
      );
      expect((await verifyChain(backend.store)).broken).toMatchObject({
        seq: 2,
        problem: "edited",
      });
    });

    it("verify names the record after a deleted one", async () => {
      await appendMany(5);
      await backend.exec(({ records: t }) => `DELETE FROM ${t} WHERE seq = 3`);
      const report = await verifyChain(backend.store);
      expect(report.broken).toMatchObject({ seq: 4, problem: "deleted" });
      expect(report.broken!.message).toMatch(/between seq 2 and record seq 4/);
    });

    it("verify names a deleted start of the chain", async () => {
      await appendMany(3);
      await backend.exec(({ records: t }) => `DELETE FROM ${t} WHERE seq = 1`);
      expect((await verifyChain(backend.store)).broken).toMatchObject({
        seq: 2,
        problem: "deleted",
      });
    });

    it("verify names reordered records", async () => {
      await appendMany(5);
      // swap the positions of records 3 and 4
      await backend.exec(({ records: t }) => `UPDATE ${t} SET seq = 100 WHERE seq = 3`);
      await backend.exec(({ records: t }) => `UPDATE ${t} SET seq = 3 WHERE seq = 4`);
      await backend.exec(({ records: t }) => `UPDATE ${t} SET seq = 4 WHERE seq = 100`);
      const report = await verifyChain(backend.store);
      expect(report.broken).toMatchObject({ seq: 3, problem: "reordered" });
      expect(report.broken!.message).toMatch(/chained after seq 2 is at seq 4/);
    });

    it("retention removes the old prefix, records it, and the chain still verifies", async () => {
      const old = await appendMany(3, () => body({ time: "2025-01-01T00:00:00.000Z" }));
      await appendMany(2, () => body({ time: "2026-06-01T00:00:00.000Z" }));
      const record = await backend.store.prune("2026-01-01T00:00:00.000Z", retentionBody);
      expect(record).toMatchObject({
        kind: "retention",
        seq: 6,
        retention: { removed: 3, first_seq: 1, last_seq: 3, last_hash: old[2]!.hash },
      });
      const left = await backend.store.query({ order: "chain" });
      expect(left.map((r) => r.seq)).toEqual([4, 5, 6]);
      expect(await verifyChain(backend.store)).toMatchObject({
        ok: true,
        anchor: "retention",
        records: 3,
      });
      // a second pass removes nothing newer than the cutoff
      expect(await backend.store.prune("2026-01-01T00:00:00.000Z", retentionBody)).toBeNull();
      // deleting beyond what retention removed is still caught
      await backend.exec(({ records: t }) => `DELETE FROM ${t} WHERE seq = 4`);
      expect((await verifyChain(backend.store)).broken).toMatchObject({
        seq: 5,
        problem: "deleted",
      });
    });

    it("retention of every record leaves its own record, anchored", async () => {
      await appendMany(2, () => body({ time: "2025-01-01T00:00:00.000Z" }));
      await backend.store.prune("2099-01-01T00:00:00.000Z", retentionBody);
      await backend.store.append([body()], { durable: false });
      const left = await backend.store.query({ order: "chain" });
      expect(left.map((r) => r.kind)).toEqual(["retention", "decision"]);
      expect(await verifyChain(backend.store)).toMatchObject({ ok: true, anchor: "retention" });
    });
  });
}

for (const [name, factory, skipReason] of backends) {
  describe.skipIf(skipReason !== null)(`${name} audit store with a checkpoint signer`, () => {
    const temp = useTempDir("gatehouse-audit-signed");
    let backend: Backend;
    let keys: TrustedKeys;
    const EVERY = 10;
    beforeEach(async () => {
      const key = loadSigningKey(null, temp.path);
      keys = new TrustedKeys([key.publicKey]);
      backend = await factory(temp.path, { schema, signer: new CheckpointSigner(key, EVERY) });
    });
    afterEach(async () => {
      await backend.close();
    });

    async function appendBatches(store: AuditStore, n: number, size: number, time?: string) {
      for (let i = 0; i < n; i += size) {
        const batch = Array.from({ length: Math.min(size, n - i) }, () =>
          body(time ? { time } : {}),
        );
        await store.append(batch, { durable: false });
      }
    }

    const seqs = async () => (await backend.store.checkpoints()).map((c) => c.seq);

    it("signs the first record, then every `every` records, in the appending transaction", async () => {
      await appendBatches(backend.store, 25, 4);
      const checkpoints = await backend.store.checkpoints();
      expect(checkpoints.map((c) => [c.seq, c.next_by, c.reason])).toEqual([
        [1, 11, "count"],
        [11, 21, "count"],
        [21, 31, "count"],
      ]);
      const records = await backend.store.query({ order: "chain" });
      expect(checkpoints[1]!.hash).toBe(records[10]!.hash);
      const report = await verifyChain(backend.store, { keys });
      expect(report).toMatchObject({
        ok: true,
        problems: [],
        signatures: { checked: true, checkpoints: 3, last_signed_seq: 21, unsigned_tail: 4 },
      });
    });

    it("checkpoint() signs the head once, and nothing when no record came in", async () => {
      await appendBatches(backend.store, 3, 3);
      const timed = await backend.store.checkpoint("time");
      expect(timed).toMatchObject({ seq: 3, next_by: 13, reason: "time" });
      expect(await backend.store.checkpoint("time")).toBeNull();
      // the next count checkpoint keeps the time checkpoint's promise
      await appendBatches(backend.store, 12, 5);
      expect(await seqs()).toEqual([1, 3, 13]);
      expect((await verifyChain(backend.store, { keys })).signatures.unsigned_tail).toBe(2);
    });

    it("keeps the promise when two handles (replicas) append in turn", async () => {
      const other = backend.other();
      for (let i = 0; i < 8; i++) await appendBatches(i % 2 ? other : backend.store, 7, 7);
      expect(await seqs()).toEqual([1, 11, 21, 31, 41, 51]);
      expect((await verifyChain(backend.store, { keys })).ok).toBe(true);
    });

    it("signs a retention record as the chain's new anchor and drops the removed checkpoints", async () => {
      await appendBatches(backend.store, 15, 5, "2025-01-01T00:00:00.000Z");
      await appendBatches(backend.store, 5, 5, "2026-06-01T00:00:00.000Z");
      const record = await backend.store.prune("2026-01-01T00:00:00.000Z", retentionBody);
      expect(record).toMatchObject({ seq: 21, kind: "retention" });
      const checkpoints = await backend.store.checkpoints();
      expect(checkpoints.map((c) => [c.seq, c.reason])).toEqual([[21, "retention"]]);
      expect(checkpoints[0]!.hash).toBe(record!.hash);
      expect(await verifyChain(backend.store, { keys })).toMatchObject({
        ok: true,
        anchor: "retention",
        records: 6,
      });
    });

    it("signs nothing over a head below the last checkpoint (a truncated store)", async () => {
      await appendBatches(backend.store, 12, 6);
      await backend.exec(({ records }) => `DELETE FROM ${records} WHERE seq > 5`);
      expect(await backend.store.checkpoint("time")).toBeNull();
      expect((await verifyChain(backend.store, { keys })).broken).toMatchObject({
        seq: 11,
        problem: "truncated",
      });
    });
  });
}
