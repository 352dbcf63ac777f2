// Checkpoint signing and the signing key: Ed25519 signatures that break when any field changes,
// which records are due for a checkpoint, witness files, and where the key comes from.
import { generateKeyPairSync } from "node:crypto";
import { chmodSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CheckpointSigner,
  checkSignature,
  dueCheckpoints,
  parseCheckpoint,
} from "../../../gateway/audit/checkpoint.ts";
import { GENESIS_HASH, chain } from "../../../gateway/audit/record.ts";
import {
  SIGNING_KEY_FILE,
  SigningKeyError,
  TrustedKeys,
  loadSigningKey,
  publicKeyFilesIn,
  publicKeyPath,
  readPublicKey,
} from "../../../gateway/audit/signing-key.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";
import { body } from "./fixtures.ts";

const mode = (path: string) => statSync(path).mode & 0o777;

describe("checkpoint signatures", () => {
  const temp = useTempDir("gatehouse-checkpoint");

  it("verify only with the signing key, and break when any signed field changes", () => {
    const key = loadSigningKey(null, temp.path);
    const signer = new CheckpointSigner(key, 100);
    const checkpoint = signer.sign({ seq: 7, hash: "a".repeat(64) }, "time");
    expect(checkpoint).toMatchObject({ seq: 7, next_by: 107, key_id: key.keyId, reason: "time" });
    const keys = new TrustedKeys([key.publicKey]);
    expect(checkSignature(checkpoint, keys)).toBe("valid");
    for (const changed of [
      { seq: 8 },
      { hash: "b".repeat(64) },
      { time: "2020-01-01T00:00:00.000Z" },
      { next_by: 10_000 },
      { reason: "count" as const },
      { signature: checkpoint.signature.replace(/^./, (c) => (c === "A" ? "B" : "A")) },
    ]) {
      expect(checkSignature({ ...checkpoint, ...changed }, keys)).toBe("bad-signature");
    }
    const other = new TrustedKeys([generateKeyPairSync("ed25519").publicKey]);
    expect(checkSignature(checkpoint, other)).toBe("unknown-key");
    // a checkpoint naming the trusted key's id but signed by another key
    const forger = new CheckpointSigner(
      { ...key, privateKey: generateKeyPairSync("ed25519").privateKey },
      100,
    );
    expect(checkSignature(forger.sign({ seq: 7, hash: "a".repeat(64) }, "time"), keys)).toBe(
      "bad-signature",
    );
  });

  it("are due at a store's first record, then at each promised seq, and at a retention anchor", () => {
    const signer = new CheckpointSigner(loadSigningKey(null, temp.path), 3);
    const records = chain(
      Array.from({ length: 8 }, () => body()),
      GENESIS_HASH,
      1,
    );
    const seqs = (...args: Parameters<typeof dueCheckpoints>) =>
      dueCheckpoints(...args).map((c) => [c.seq, c.reason]);
    expect(seqs(records, null, signer)).toEqual([
      [1, "count"],
      [4, "count"],
      [7, "count"],
    ]);
    expect(seqs(records.slice(2), { seq: 2, next_by: 5 }, signer)).toEqual([
      [5, "count"],
      [8, "count"],
    ]);
    expect(seqs(records.slice(5, 7), { seq: 5, next_by: 8 }, signer, true)).toEqual([
      [7, "retention"],
    ]);
    expect(seqs(records, null, undefined)).toEqual([]);
  });

  it("read from a witness file name the field that is wrong", () => {
    const signer = new CheckpointSigner(loadSigningKey(null, temp.path), 3);
    const checkpoint = signer.sign({ seq: 2, hash: "c".repeat(64) }, "close");
    expect(parseCheckpoint(JSON.parse(JSON.stringify(checkpoint)), "w.json")).toEqual(checkpoint);
    expect(() => parseCheckpoint({ ...checkpoint, seq: "2" }, "w.json")).toThrow(
      "w.json: seq: expected a positive integer",
    );
    expect(() => parseCheckpoint({ ...checkpoint, reason: "whim" }, "w.json")).toThrow(
      /w\.json: reason: expected one of count, time/,
    );
    expect(() => parseCheckpoint([], "w.json")).toThrow(/w\.json: \(top level\)/);
  });
});

describe("the signing key", () => {
  const temp = useTempDir("gatehouse-signing-key");

  it("is generated once into the data dir (0600) with its public key named by key id", () => {
    const dataDir = join(temp.path, "data");
    const first = loadSigningKey(null, dataDir);
    expect(mode(join(dataDir, SIGNING_KEY_FILE))).toBe(0o600);
    expect(mode(dataDir)).toBe(0o700);
    const pub = publicKeyPath(dataDir, first.keyId);
    expect(mode(pub)).toBe(0o600);
    expect(publicKeyFilesIn(dataDir)).toEqual([pub]);
    const again = loadSigningKey(null, dataDir);
    expect(again.keyId).toBe(first.keyId);
    expect(readPublicKey(pub).equals(first.publicKey)).toBe(true);
  });

  it("comes from the config as PEM text or a path, and is never echoed in errors", () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const fromText = loadSigningKey(pem, temp.path);
    const path = temp.put("key.pem", pem);
    expect(loadSigningKey(path, temp.path).keyId).toBe(fromText.keyId);
    // its public key lands in the data dir, for `audit verify`
    expect(publicKeyFilesIn(temp.path)).toEqual([publicKeyPath(temp.path, fromText.keyId)]);
    // a private key file given as --public-key yields its public half
    expect(readPublicKey(path).equals(fromText.publicKey)).toBe(true);

    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    }) as string;
    expect(() => loadSigningKey(rsa, temp.path)).toThrow(
      /audit\.signingKey: an Ed25519 key is required, got rsa/,
    );
    const broken = `${pem.slice(0, 60)}garbage\n-----END PRIVATE KEY-----\n`;
    let error: Error | undefined;
    try {
      loadSigningKey(broken, temp.path);
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(SigningKeyError);
    expect(error!.message).toMatch(/^audit\.signingKey: not a PEM private key/);
    expect(error!.message).not.toContain(pem.split("\n")[1]!.slice(0, 20));
    expect(() => loadSigningKey(join(temp.path, "missing.pem"), temp.path)).toThrow(
      /audit\.signingKey \(.*missing\.pem\): cannot read/,
    );
  });

  it("found with wider modes is tightened to 0600", () => {
    loadSigningKey(null, temp.path);
    const file = join(temp.path, SIGNING_KEY_FILE);
    chmodSync(file, 0o644);
    loadSigningKey(null, temp.path);
    expect(mode(file)).toBe(0o600);
  });
});
