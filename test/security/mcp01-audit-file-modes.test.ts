// MCP01 (secret exposure): another local user reading the decision records, the spool or the
// signing key off disk. A real gateway with the real recorder, started under umask 000 (so any
// mode is the gateway's own doing), must leave its data dir 0700 and every audit file 0600:
// audit.db, -wal, -shm, the spool, the signing key; and tighten what an older version left open.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig, type ConfigLayer } from "../../gateway/config.ts";
import { Gateway } from "../../gateway/gateway.ts";
import { silentLogger } from "../../gateway/log.ts";
import { closedPort } from "../gateway/audit/fixtures.ts";
import { openSession } from "../gateway/server/helpers.ts";
import { catalogOf, scriptedServer, stdio, waitFor } from "../gateway/upstream/helpers.ts";

const POLICY = fileURLToPath(new URL("./mcp01-policy", import.meta.url));
const mode = (path: string) => statSync(path).mode & 0o777;

const root = mkdtempSync(join(tmpdir(), "gatehouse-mcp01-modes-"));
let umask: number;
let gateway: Gateway | undefined;

beforeEach(() => {
  umask = process.umask(0o000);
});
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  process.umask(umask);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Starts a gateway on `dataDir` and opens a session (initialize is decided and recorded). */
async function serveOnce(dataDir: string, audit: ConfigLayer["audit"] = {}): Promise<void> {
  const config = loadConfig({
    flags: { port: 0, dev: true, dataDir, policyDirs: [POLICY], audit },
  });
  gateway = await Gateway.start(config, {
    log: silentLogger,
    catalog: catalogOf({ scripted: stdio([scriptedServer]) }),
  });
  await waitFor("upstream ready", () => gateway!.pool.status().every((s) => s.state === "ready"));
  await openSession(gateway.url);
}

describe("MCP01 secret exposure: audit files on disk", () => {
  it("reading audit.db, its WAL and shm, or the signing key as another user: all 0600 in a 0700 data dir", async () => {
    const dataDir = join(root, "fresh", "data");
    await serveOnce(dataDir);
    expect(mode(dataDir)).toBe(0o700);
    for (const file of ["audit.db", "audit.db-wal", "audit.db-shm", "audit-signing-key.pem"]) {
      expect(mode(join(dataDir, file)), file).toBe(0o600);
    }
  });

  it("a data dir and database left world-readable by an older version are tightened at start", async () => {
    const dataDir = join(root, "old");
    mkdirSync(dataDir, { mode: 0o755 });
    for (const file of ["audit.db", "audit.db-wal", "audit.db-shm"]) {
      writeFileSync(join(dataDir, file), "");
      chmodSync(join(dataDir, file), 0o644);
    }
    chmodSync(dataDir, 0o755);
    await serveOnce(dataDir);
    expect(mode(dataDir)).toBe(0o700);
    for (const file of ["audit.db", "audit.db-wal", "audit.db-shm"]) {
      expect(mode(join(dataDir, file)), file).toBe(0o600);
    }
  });

  it("records spooled while the store is down are not world-readable", async () => {
    const dataDir = join(root, "spooled");
    const store = `postgres://postgres@127.0.0.1:${await closedPort()}/test`;
    await serveOnce(dataDir, { store, onStoreFailure: "buffer", retryMs: 60_000 });
    expect(mode(join(dataDir, "audit-spool.jsonl"))).toBe(0o600);
    expect(mode(dataDir)).toBe(0o700);
  });
});
