// Audit files are readable by the gateway's user alone, whatever the umask: the SQLite database,
// its -wal and -shm, the spool (and its rejected lines) at 0600, their folder at 0700, and files
// found with wider modes are tightened when they are opened.
import { chmodSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../gateway/config.ts";
import { createDecisionRecorder } from "../../../gateway/audit/recorder.ts";
import { SqliteAuditStore, sqliteFiles } from "../../../gateway/audit/sqlite-store.ts";
import { Spool } from "../../../gateway/audit/spool.ts";
import { silentLogger } from "../../../gateway/log.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";
import { body } from "./fixtures.ts";

const mode = (path: string) => statSync(path).mode & 0o777;

describe("audit file modes", () => {
  const temp = useTempDir("gatehouse-audit-modes");
  let umask: number;
  beforeEach(() => {
    // the widest umask: nothing is taken away, so every mode below is the code's own doing
    umask = process.umask(0o000);
  });
  afterEach(() => {
    process.umask(umask);
  });

  it("creates the SQLite database, -wal and -shm 0600 in a new 0700 folder", async () => {
    const path = join(temp.path, "a", "b", "audit.db");
    const store = new SqliteAuditStore(path);
    await store.append([body(), body()], { durable: true });
    for (const file of sqliteFiles(path).slice(0, 3)) expect(mode(file)).toBe(0o600);
    expect(mode(join(temp.path, "a", "b"))).toBe(0o700);
    expect(mode(join(temp.path, "a"))).toBe(0o700);
    await store.close();
  });

  it("tightens a world-readable database and its -wal and -shm at open", async () => {
    const path = join(temp.path, "audit.db");
    const first = new SqliteAuditStore(path);
    await first.append([body()], { durable: true });
    await first.close();
    writeFileSync(`${path}-wal`, "");
    writeFileSync(`${path}-shm`, "");
    for (const file of sqliteFiles(path).slice(0, 3)) chmodSync(file, 0o644);
    const again = new SqliteAuditStore(path);
    await again.append([body()], { durable: false });
    for (const file of sqliteFiles(path).slice(0, 3)) expect(mode(file)).toBe(0o600);
    await again.close();
  });

  it("writes spool files 0600, durable or not, and tightens an old one", () => {
    const path = join(temp.path, "spool", "audit-spool.jsonl");
    const spool = new Spool(path, 1024 * 1024);
    spool.append([body()], false);
    expect(mode(path)).toBe(0o600);
    expect(mode(join(temp.path, "spool"))).toBe(0o700);
    writeFileSync(path, "{torn line\n", { flag: "a" });
    spool.takeForReplay();
    expect(mode(`${path}.replaying`)).toBe(0o600);
    expect(mode(`${path}.rejected`)).toBe(0o600);
    spool.finishReplay();
    spool.append([body()], true);
    expect(mode(path)).toBe(0o600);
    chmodSync(path, 0o666);
    new Spool(path, 1024 * 1024);
    expect(mode(path)).toBe(0o600);
  });

  it("the recorder tightens the data dir to 0700 and keeps its key 0600", async () => {
    const dataDir = join(temp.path, "data");
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const config = loadConfig({ flags: { dataDir } });
    const recorder = createDecisionRecorder(config, silentLogger)!;
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(join(dataDir, "audit-signing-key.pem"))).toBe(0o600);
    expect(mode(join(dataDir, "audit.db"))).toBe(0o600);
    await recorder.close();
  });
});
