// CRASH TEST (audit durability). A real `gatehouse serve` child process with the SQLite store
// takes concurrent tools/call load, is killed with SIGKILL mid-load, and is started again on the
// same data folder. Every call whose response the client received must have its decision record,
// and the hash chain must still verify. Prints: calls answered, records found.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, expect, it } from "vitest";
import { SqliteAuditStore } from "../../../gateway/audit/sqlite-store.ts";
import { verifyChain } from "../../../gateway/audit/verify.ts";
import { scriptedServer } from "../upstream/helpers.ts";

const GATEHOUSE = fileURLToPath(new URL("../../../cli/bin/gatehouse.js", import.meta.url));
const POLICY = fileURLToPath(new URL("../../fixtures/audit/policies", import.meta.url));
const NODE_FLAGS = ["--experimental-transform-types", "--disable-warning=ExperimentalWarning"];
/** concurrent calls in flight while the gateway is killed */
const CONCURRENCY = 8;
/** load runs until this many calls were answered (or LOAD_MS passed), then SIGKILL */
const ANSWERED_BEFORE_KILL = 300;
const LOAD_MS = 4000;

const dir = mkdtempSync(join(tmpdir(), "gatehouse-audit-crash-"));
const children: ChildProcess[] = [];

afterAll(() => {
  // the gateways were started detached (their own process group, with their stdio upstreams)
  for (const child of children) {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(): string {
  mkdirSync(join(dir, "catalog", "servers"), { recursive: true });
  writeFileSync(
    join(dir, "catalog", "servers", "crash.yaml"),
    JSON.stringify({
      name: "crash",
      transport: { type: "stdio", command: process.execPath, args: [scriptedServer] },
      tools: { echo: { risk: "read" }, env: { risk: "write" } },
    }),
  );
  const config = join(dir, "gatehouse.yaml");
  writeFileSync(
    config,
    JSON.stringify({
      port: 0,
      dev: true,
      catalogDir: join(dir, "catalog"),
      policyDirs: [POLICY],
      dataDir: join(dir, "data"),
      sync: { enabled: false },
      // the test's burst of calls is one principal's load to record, not a flood to refuse
      limits: { requestsPerSecond: 100_000, requestBurst: 100_000 },
    }),
  );
  return config;
}

/** Starts `gatehouse serve` and resolves with its MCP URL once it serves. */
function serve(config: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...NODE_FLAGS, GATEHOUSE, "serve", "--config", config], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    let stdout = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /gatehouse: serving (\S+)/.exec(stdout);
      if (match) resolve({ child, url: match[1]! });
    });
    child.on("exit", (code) => reject(new Error(`gatehouse serve exited (${code}): ${stderr}`)));
  });
}

/** Resolves once `child` has exited (at once when it already has: its exit event is past). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: "crash-load", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

it("CRASH TEST: every answered call has its record after SIGKILL and restart", async () => {
  const config = writeConfig();
  const first = await serve(config);
  const clients = await Promise.all([0, 1, 2, 3].map(() => connect(first.url)));

  const answeredTexts = new Set<string>(); // allowed calls answered (echo)
  const answeredDenials = new Set<string>(); // denied calls answered (their decision ids)
  let sent = 0;
  let killed = false;
  const started = Date.now();
  const loop = async (client: Client) => {
    while (!killed) {
      const n = sent++;
      try {
        if (n % 5 === 4) {
          await client.callTool({ name: "crash__env", arguments: {} }).then(
            () => expect.fail("crash__env must be denied"),
            (e: unknown) => {
              if (!(e instanceof McpError) || e.code !== -32003) throw e;
              answeredDenials.add((e.data as { decision_id: string }).decision_id);
            },
          );
        } else {
          await client.callTool({ name: "crash__echo", arguments: { text: `call-${n}` } });
          answeredTexts.add(`call-${n}`);
        }
      } catch (e) {
        if (killed) return; // the gateway is gone: this call was never answered
        throw e;
      }
      const answered = answeredTexts.size + answeredDenials.size;
      if (!killed && (answered >= ANSWERED_BEFORE_KILL || Date.now() - started > LOAD_MS)) {
        killed = true;
        first.child.kill("SIGKILL");
      }
    }
  };
  await Promise.all(clients.flatMap((c) => Array.from({ length: CONCURRENCY / 4 }, () => loop(c))));
  await exited(first.child);
  expect(first.child.signalCode).toBe("SIGKILL");
  for (const c of clients) void c.close().catch(() => undefined);

  // restart on the same data folder: the gateway recovers the store and extends the chain
  const second = await serve(config);
  const after = await connect(second.url);
  await after.callTool({ name: "crash__echo", arguments: { text: "after-restart" } });
  await after.close();
  second.child.kill("SIGTERM");
  await exited(second.child);

  const store = new SqliteAuditStore(join(dir, "data", "audit.db"), { readonly: true });
  try {
    const records = await store.query({ order: "chain" });
    const calls = records.filter((r) => r.method === "tools/call");
    const texts = new Set(calls.map((r) => String((r.arguments as { text?: unknown }).text)));
    const decisionIds = new Set(calls.map((r) => r.decision_id));
    const missingAllows = [...answeredTexts].filter((t) => !texts.has(t));
    const missingDenials = [...answeredDenials].filter((id) => !decisionIds.has(id));
    const report = await verifyChain(store);
    console.log(
      `CRASH TEST: ${sent} calls sent, ${answeredTexts.size + answeredDenials.size} answered before SIGKILL ` +
        `(${answeredTexts.size} allowed, ${answeredDenials.size} denied); ` +
        `${calls.length} tools/call records found (${records.length} records in all); ` +
        `missing: ${missingAllows.length + missingDenials.length}; chain ${report.ok ? "intact" : "BROKEN"} ` +
        `(${report.records} records)`,
    );
    expect(answeredTexts.size + answeredDenials.size).toBeGreaterThan(0);
    expect(missingAllows).toEqual([]);
    expect(missingDenials).toEqual([]);
    expect(texts.has("after-restart")).toBe(true);
    expect(report).toMatchObject({ ok: true, anchor: "genesis" });
  } finally {
    await store.close();
  }
}, 120_000);
