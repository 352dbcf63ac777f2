// MCP08 (audit tampering): someone with write access to the decision store (the SQLite file, or
// the PostgreSQL database) edits, deletes, truncates or forges records, and `gatehouse audit
// verify` must exit 1 naming the problem. The store is signed as a gateway signs it (Ed25519
// checkpoints every 100 records here, and at close); the attacker has the store, not the key.
// Each attack runs on SQLite and on PostgreSQL (skipped with a printed reason when unreachable).
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { CheckpointSigner, type Checkpoint } from "../../gateway/audit/checkpoint.ts";
import { retentionBody } from "../../gateway/audit/record-builder.ts";
import { chain, recordHash, type AuditRecord } from "../../gateway/audit/record.ts";
import { keyIdOf, loadSigningKey, publicKeyPath } from "../../gateway/audit/signing-key.ts";
import {
  postgresBackend,
  sqliteBackend,
  type Backend,
  type BackendFactory,
} from "../gateway/audit/backends.ts";
import { gatehouse } from "../gateway/audit/cli-run.ts";
import { body, dropSchema, postgresUnavailable, uniqueSchema } from "../gateway/audit/fixtures.ts";
import { useTempDir } from "../helpers/temp-dir.ts";

/** records in the store before each attack; checkpoints at 1, 101, 201, 301, 401 and 500 */
const RECORDS = 500;
const EVERY = 100;

const schema = uniqueSchema();
const skipPostgres = await postgresUnavailable();
afterAll(async () => {
  if (skipPostgres === null) await dropSchema(schema);
});

const backends: [string, BackendFactory, string | null][] = [
  ["SQLite", sqliteBackend, null],
  ["PostgreSQL", postgresBackend, skipPostgres],
];

/** A signer with a key the gateway never had: what an attacker can sign with. */
function attackerSigner(): CheckpointSigner {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return new CheckpointSigner({ privateKey, publicKey, keyId: keyIdOf(publicKey) }, EVERY);
}

for (const [name, factory, skipReason] of backends) {
  describe.skipIf(skipReason !== null)(`MCP08 audit tampering on ${name}`, () => {
    const temp = useTempDir("gatehouse-mcp08");
    let backend: Backend;
    let publicKey: string;
    let genuine: CheckpointSigner;
    let witnesses = 0;

    beforeEach(async () => {
      const key = loadSigningKey(null, temp.path);
      publicKey = publicKeyPath(temp.path, key.keyId);
      genuine = new CheckpointSigner(key, EVERY);
      backend = await factory(temp.path, { schema, signer: genuine });
      for (let i = 0; i < RECORDS; i += 50) {
        const batch = Array.from({ length: 50 }, (_, j) =>
          body({ time: new Date(Date.UTC(2026, 0, 1, 0, 0, i + j)).toISOString() }),
        );
        await backend.store.append(batch, { durable: false });
      }
      await backend.store.checkpoint("close");
    });
    afterEach(async () => {
      await backend.close();
    });

    /** `gatehouse audit verify` on the store with the genuine public key (kept elsewhere). */
    const verify = (...extra: string[]) =>
      gatehouse("audit", "verify", ...backend.cliArgs, "--public-key", publicKey, ...extra);

    async function records(): Promise<AuditRecord[]> {
      return backend.store.query({ order: "chain" });
    }

    /** Edits the record at `seq` and recomputes every hash after it, as a forger would. */
    async function editAndRehash(seq: number): Promise<AuditRecord[]> {
      const all = await records();
      const from = all.findIndex((r) => r.seq === seq);
      const changed = all.slice(from).map((r) => ({ ...r }));
      changed[0]!.reasons = ["nothing to see here"];
      changed[0]!.allow = true;
      let prev = changed[0]!.prev_hash;
      for (const r of changed) {
        r.prev_hash = prev;
        r.hash = recordHash(r, prev);
        prev = r.hash;
      }
      await backend.putRecords(changed);
      return changed;
    }

    /** Deletes the oldest 300 records (and their checkpoints) and appends a forged anchor. */
    async function deleteOldestAndForgeAnchor(): Promise<AuditRecord> {
      const all = await records();
      const last = all[299]!;
      const head = all[all.length - 1]!;
      await backend.exec(({ records: t }) => `DELETE FROM ${t} WHERE seq <= 300`);
      await backend.exec(({ checkpoints }) => `DELETE FROM ${checkpoints} WHERE seq <= 300`);
      const [anchor] = chain(
        [
          retentionBody({
            cutoff: "2026-01-01T00:05:00.000Z",
            removed: 300,
            first_seq: 1,
            last_seq: 300,
            last_hash: last.hash,
          }),
        ],
        head.hash,
        head.seq + 1,
      );
      await backend.putRecords([anchor!]);
      return anchor!;
    }

    async function witness(): Promise<string> {
      const printed = await gatehouse(
        "audit",
        "checkpoint",
        ...backend.cliArgs,
        "--public-key",
        publicKey,
      );
      expect(printed.code).toBe(0);
      return writeWitness(printed.out);
    }

    function writeWitness(text: string): string {
      const path = join(temp.path, `witness-${++witnesses}.json`);
      writeFileSync(path, text);
      return path;
    }

    it("control: the untampered store verifies, signed to its head", async () => {
      const { code, out } = await verify();
      expect(code).toBe(0);
      expect(out).toMatch(/500 records \(seq 1-500\): chain intact, starts at genesis/);
      expect(out).toMatch(/last signed seq 500 .*every record is covered/);
    });

    it("deletes the oldest 300 records and appends a forged retention anchor (retentionBody)", async () => {
      const anchor = await deleteOldestAndForgeAnchor();
      const { code, out } = await verify();
      expect(code).toBe(1);
      expect(out).toContain(`(forged-anchor)`);
      expect(out).toContain(`retention anchor record seq ${anchor.seq} (retention ${anchor.id})`);
    });

    it("forges the anchor and signs it with a key of its own", async () => {
      const anchor = await deleteOldestAndForgeAnchor();
      const own = attackerSigner();
      await backend.putCheckpoint(own.sign(anchor, "retention"));
      const { code, out } = await verify();
      expect(code).toBe(1);
      expect(out).toContain(`(unknown-key)`);
      expect(out).toContain(`signed by key ${own.keyId}, not by a trusted key`);
      expect(out).toContain("(forged-anchor)");
    });

    it("forges the anchor and copies a genuine signature onto its checkpoint", async () => {
      const anchor = await deleteOldestAndForgeAnchor();
      const [real] = (await backend.store.checkpoints()).slice(-1) as Checkpoint[];
      await backend.putCheckpoint({
        ...real!,
        seq: anchor.seq,
        hash: anchor.hash,
        reason: "retention",
      });
      const { code, out } = await verify();
      expect(code).toBe(1);
      expect(out).toContain(`the checkpoint at seq ${anchor.seq}`);
      expect(out).toContain("(bad-signature)");
      expect(out).toContain("(forged-anchor)");
    });

    it("deletes the oldest 300 records without an anchor", async () => {
      await backend.exec(({ records: t }) => `DELETE FROM ${t} WHERE seq <= 300`);
      const { code, out } = await verify();
      expect(code).toBe(1);
      expect(out).toMatch(/CHAIN BROKEN at record seq 301 \(deleted\)/);
    });

    it("truncates the tail past a checkpoint (everything after seq 250)", async () => {
      await backend.exec(({ records: t }) => `DELETE FROM ${t} WHERE seq > 250`);
      const { code, out } = await verify();
      expect(code).toBe(1);
      expect(out).toContain("(truncated)");
      expect(out).toContain("the store ends at seq 250, but a checkpoint was signed at seq 500");
    });

    it("truncates the tail and the checkpoints after it: a kept witness checkpoint catches it", async () => {
      const kept = await witness();
      // back to seq 450 (inside the promise of the checkpoint at 401): the store alone looks
      // like its own earlier state, which only a witness can tell apart
      await backend.exec(({ records: t }) => `DELETE FROM ${t} WHERE seq > 450`);
      await backend.exec(({ checkpoints }) => `DELETE FROM ${checkpoints} WHERE seq > 450`);
      const alone = await verify("--format", "json");
      expect(JSON.parse(alone.out).signatures).toMatchObject({
        last_signed_seq: 401,
        unsigned_tail: 49,
      });
      const { code, out } = await verify("--checkpoint", kept);
      expect(code).toBe(1);
      expect(out).toContain("(truncated)");
      expect(out).toContain("before the witness checkpoint's seq 500");
    });

    it("edits a record and rehashes everything after it", async () => {
      await editAndRehash(150);
      const { code, out } = await verify();
      expect(code).toBe(1);
      expect(out).toMatch(/CHAIN BROKEN at record seq 201 \(rewritten\)/);
      expect(out).toContain("does not match the checkpoint signed for it");
    });

    it("edits a record, rehashes everything after it and deletes the checkpoints after it", async () => {
      await editAndRehash(150);
      await backend.exec(({ checkpoints }) => `DELETE FROM ${checkpoints} WHERE seq >= 150`);
      const { code, out } = await verify();
      expect(code).toBe(1);
      expect(out).toContain("(missing-checkpoint)");
      expect(out).toContain("the checkpoint signed at seq 101");
    });

    it("rewrites the whole store and deletes every checkpoint", async () => {
      await editAndRehash(1);
      await backend.exec(({ checkpoints }) => `DELETE FROM ${checkpoints}`);
      const { code, out } = await verify();
      expect(code).toBe(1);
      expect(out).toMatch(/CHAIN BROKEN at the store \(unsigned\)/);
    });

    it("rewrites records and edits the checkpoints' hashes to match", async () => {
      const changed = await editAndRehash(150);
      const bySeq = new Map(changed.map((r) => [r.seq, r.hash]));
      for (const c of await backend.store.checkpoints()) {
        if (bySeq.has(c.seq)) await backend.putCheckpoint({ ...c, hash: bySeq.get(c.seq)! });
      }
      const { code, out } = await verify();
      expect(code).toBe(1);
      expect(out).toContain("the checkpoint at seq 201 (key");
      expect(out).toContain("(bad-signature)");
    });

    it("deletes one record in the middle and rehashes the rest", async () => {
      await backend.exec(({ records: t }) => `DELETE FROM ${t} WHERE seq = 250`);
      const all = await records();
      const from = all.findIndex((r) => r.seq === 251);
      const rest = all.slice(from).map((r) => ({ ...r }));
      let prev = all[from - 1]!.hash;
      for (const r of rest) {
        r.prev_hash = prev;
        r.hash = recordHash(r, prev);
        prev = r.hash;
      }
      await backend.putRecords(rest);
      const { code, out } = await verify();
      expect(code).toBe(1);
      expect(out).toMatch(/CHAIN BROKEN at record seq 301 \(rewritten\)/);
    });

    it("appends forged records at the end with valid hashes, past the signed promise", async () => {
      const all = await records();
      const forged = chain(
        Array.from({ length: 150 }, () => body()),
        all[all.length - 1]!.hash,
        RECORDS + 1,
      );
      await backend.putRecords(forged);
      const { code, out } = await verify();
      expect(code).toBe(1);
      expect(out).toContain("(missing-checkpoint)");
      expect(out).toContain("promised one by seq 600");
    });

    it("re-signs every checkpoint with its own key: the public key kept elsewhere refuses them", async () => {
      const changed = await editAndRehash(1);
      const own = attackerSigner();
      await backend.exec(({ checkpoints }) => `DELETE FROM ${checkpoints}`);
      for (const r of changed.filter((r) => r.seq === 1 || r.seq % EVERY === 1)) {
        await backend.putCheckpoint(own.sign(r, "count"));
      }
      const { code, out } = await verify();
      expect(code).toBe(1);
      expect(out).toContain(`signed by key ${own.keyId}, not by a trusted key (${genuine.keyId})`);
    });

    it("presents a witness checkpoint signed by another key", async () => {
      const fake = attackerSigner().sign({ seq: 10, hash: "0".repeat(64) }, "close");
      const { code, out } = await verify("--checkpoint", writeWitness(JSON.stringify(fake)));
      expect(code).toBe(1);
      expect(out).toContain("(unknown-key)");
      expect(out).toContain("witness checkpoint seq 10: NOT MATCHED");
    });
  });
}
