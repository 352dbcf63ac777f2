// The DecisionRecorder as the MCP layer drives it (startRequest / decided / upstream / end), over
// real stores: what a record holds, when it is durable, and what happens when the store is down.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { CheckpointSigner } from "../../../gateway/audit/checkpoint.ts";
import { DEFAULT_AUDIT_CONFIG, type AuditConfig } from "../../../gateway/audit/config.ts";
import { PostgresAuditStore } from "../../../gateway/audit/postgres-store.ts";
import { DecisionRecorder } from "../../../gateway/audit/recorder.ts";
import { RetentionJob } from "../../../gateway/audit/retention.ts";
import { TrustedKeys, loadSigningKey } from "../../../gateway/audit/signing-key.ts";
import { SqliteAuditStore } from "../../../gateway/audit/sqlite-store.ts";
import type { AuditStore } from "../../../gateway/audit/store.ts";
import { verifyChain } from "../../../gateway/audit/verify.ts";
import { AuditUnavailableError } from "../../../gateway/audit/writer.ts";
import type { Logger } from "../../../gateway/log.ts";
import type { DecisionFacts, RequestFacts } from "../../../gateway/observer.ts";
import { buildDecisionInput, noObligations, type Decision } from "../../../gateway/policy/index.ts";
import { REDACTED } from "../../../gateway/redaction.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";
import {
  POSTGRES_URL,
  PostgresRelay,
  body,
  closedPort,
  dropSchema,
  postgresUnavailable,
  uniqueSchema,
} from "./fixtures.ts";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CLIENT_SPAN = "00f067aa0ba902b7";

function request(overrides: Partial<RequestFacts> = {}): RequestFacts {
  return {
    method: "tools/call",
    requestId: 1,
    sessionId: "session-1",
    principal: { sub: "alice", iss: "https://idp.example", auth: "jwt", groups: ["eng"] },
    virtualServer: null,
    remoteAddress: "127.0.0.1",
    userAgent: "test",
    traceparent: `00-${TRACE_ID}-${CLIENT_SPAN}-01`,
    tracestate: null,
    startedAt: performance.timeOrigin + performance.now(),
    auth: null,
    ...overrides,
  };
}

let decisions = 0;
function decided(
  allow: boolean,
  args: Record<string, unknown> = { path: "/etc/hosts" },
  redact: string[] = [],
): DecisionFacts {
  decisions++;
  const input = buildDecisionInput({
    request: { id: `dec-${decisions}` },
    principal: { sub: "alice", iss: "https://idp.example", auth: "jwt", groups: ["eng"] },
    session: { id: "session-1" },
    mcp: { method: "tools/call", server: "files", tool: "read_file", arguments: args },
  });
  const decision: Decision = {
    allow,
    reasons: [allow ? "eng may read files" : "writes are refused"],
    obligations: { ...noObligations(), redact_arguments: redact },
    visible_tools: [],
    decisionId: `dec-${decisions}`,
    evalMicros: 17,
    revision: "rev-7",
  };
  return { decision, input, bundleDigest: "b".repeat(64) };
}

interface LogLine {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}
function capturingLog(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { lines, log: (level, msg, fields) => lines.push({ level, msg, fields }) };
}

function auditConfig(overrides: Partial<AuditConfig> = {}): AuditConfig {
  // retries are driven by the tests (writer.recover()), not by a timer
  return { ...DEFAULT_AUDIT_CONFIG, retryMs: 3_600_000, ...overrides };
}

describe("DecisionRecorder with the SQLite store", () => {
  const temp = useTempDir("gatehouse-recorder");
  let recorder: DecisionRecorder | undefined;
  afterEach(async () => {
    await recorder?.close();
    recorder = undefined;
  });

  /** a recorder on `<temp>/<folder>/audit.db`, spooling to `<temp>/<folder>/spool.jsonl` */
  function sqliteRecorder(overrides: Partial<AuditConfig> = {}, folder = "data") {
    const log = capturingLog();
    const store = new SqliteAuditStore(join(temp.path, folder, "audit.db"));
    recorder = new DecisionRecorder({
      store,
      spoolPath: join(temp.path, folder, "spool.jsonl"),
      audit: auditConfig(overrides),
      log,
    });
    return { recorder, store, log };
  }

  it("signs the chain's head on the timer once records came in, and at close", async () => {
    const key = loadSigningKey(null, temp.path);
    const store = new SqliteAuditStore(join(temp.path, "signed", "audit.db"), {
      signer: new CheckpointSigner(key, 1000),
    });
    const signed = new DecisionRecorder({
      store,
      spoolPath: join(temp.path, "signed", "spool.jsonl"),
      audit: auditConfig({ checkpointIntervalMs: 20 }),
      log: capturingLog(),
    });
    const record = async (allow: boolean) => {
      const observation = signed.startRequest(request());
      observation.decided(decided(allow));
      await observation.end(allow ? { status: "ok" } : { status: "denied" });
    };
    await record(true);
    await record(false);
    await record(true);
    const reasons = async () => (await store.checkpoints()).map((c) => `${c.seq} ${c.reason}`);
    // the timer signs within a few ticks of 20 ms (bounded wait, no timing asserted)
    for (let tries = 0; !(await reasons()).includes("3 time"); tries++) {
      if (tries > 1000) throw new Error("no time checkpoint was signed");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await record(true);
    const reader = new SqliteAuditStore(join(temp.path, "signed", "audit.db"), { readonly: true });
    await signed.close();
    const all = (await reader.checkpoints()).map((c) => `${c.seq} ${c.reason}`);
    // the first record at once, the timer in between (how often depends on the machine), the
    // last record at close
    expect(all[0]).toBe("1 count");
    expect(all).toContain("3 time");
    expect(all[all.length - 1]).toBe("4 close");
    expect(all.slice(1, -1).every((c) => c.endsWith(" time"))).toBe(true);
    const report = await verifyChain(reader, { keys: new TrustedKeys([key.publicKey]) });
    expect(report).toMatchObject({ ok: true, signatures: { unsigned_tail: 0 } });
    await reader.close();
  });

  it("writes an allowed call's record, redacted, before end()'s promise resolves", async () => {
    const { recorder, store } = sqliteRecorder();
    const observation = recorder.startRequest(request());
    const facts = decided(
      true,
      {
        path: "/etc/hosts",
        api_token: "t0ps3cret",
        auth: { password: "hunter2", user: "al" },
        note: "Bearer abcdefgh12345678",
      },
      ["api_token", "auth.password"],
    );
    observation.decided(facts);
    const upstream = observation.upstreamStarted({
      server: "files",
      transport: "stdio",
      method: "tools/call",
      target: "read_file",
    });
    upstream.end({ status: "ok" });
    const ended = observation.end({ status: "ok" });
    // the answer waits for the group commit right after this turn
    expect(ended).toBeInstanceOf(Promise);
    expect(await store.query({})).toEqual([]);
    await ended;

    const [record] = await store.query({});
    const expectedArgs = {
      path: "/etc/hosts",
      api_token: REDACTED,
      auth: { password: REDACTED, user: "al" },
      note: REDACTED,
    };
    expect(record).toMatchObject({
      kind: "decision",
      decision_id: facts.decision.decisionId,
      trace_id: TRACE_ID,
      span_id: CLIENT_SPAN,
      principal: { sub: "alice", iss: "https://idp.example", auth: "jwt", groups: ["eng"] },
      session_id: "session-1",
      method: "tools/call",
      server: "files",
      tool: "read_file",
      arguments: expectedArgs,
      allow: true,
      reasons: ["eng may read files"],
      obligations: { redact_arguments: ["api_token", "auth.password"] },
      revision: "rev-7",
      bundle_digest: "b".repeat(64),
      eval_micros: 17,
      outcome: { status: "ok" },
      upstream: {
        server: "files",
        transport: "stdio",
        target: "read_file",
        outcome: { status: "ok" },
      },
    });
    // the input is whole (for `policy diff` replays) but carries the same redaction
    expect(record!.input).toEqual({
      ...facts.input,
      mcp: { ...facts.input.mcp, arguments: expectedArgs },
    });
    expect(JSON.stringify(record)).not.toMatch(/t0ps3cret|hunter2|abcdefgh12345678/);
    expect(record!.latency_ms).toBeGreaterThanOrEqual(0);
    expect(record!.upstream!.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it("records a denial and an upstream error with their outcomes", async () => {
    const { recorder, store } = sqliteRecorder();
    const denied = recorder.startRequest(request());
    denied.decided(decided(false));
    await denied.end({ status: "denied" });
    const failing = recorder.startRequest(request({ requestId: 2 }));
    failing.decided(decided(true));
    failing
      .upstreamStarted({
        server: "files",
        transport: "stdio",
        method: "tools/call",
        target: "read_file",
      })
      .end({ status: "error", code: -32603, message: "upstream crashed" });
    await failing.end({ status: "error", code: -32603, message: "upstream crashed" });

    const [deny, error] = await store.query({ order: "chain" });
    expect(deny).toMatchObject({
      allow: false,
      reasons: ["writes are refused"],
      outcome: { status: "denied" },
      upstream: null,
    });
    expect(error).toMatchObject({
      allow: true,
      outcome: { status: "error", code: -32603, message: "upstream crashed" },
      upstream: { outcome: { status: "error", code: -32603, message: "upstream crashed" } },
    });
    expect(await verifyChain(store)).toMatchObject({ ok: true, records: 2 });
  });

  it("writes nothing for a request the policy never decided", async () => {
    const { recorder, store } = sqliteRecorder();
    const ended = recorder.startRequest(request({ method: "ping" })).end({ status: "ok" });
    expect(ended).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve)); // past the turn a group commit would run
    expect(await store.query({})).toEqual([]);
  });

  it("truncates huge arguments with a marker and still writes the record", async () => {
    const { recorder, store } = sqliteRecorder();
    const observation = recorder.startRequest(request());
    observation.decided(
      decided(true, {
        content: "x".repeat(2 * 1024 * 1024),
        rows: Array.from({ length: 5000 }, (_, i) => i),
      }),
    );
    await observation.end({ status: "ok" });
    const [record] = await store.query({});
    const args = record!.arguments as { content: string; rows: unknown[] };
    expect(args.content).toMatch(/^x{16384}…\[truncated 2080768 bytes\]$/);
    expect(args.rows).toHaveLength(1001);
    expect(args.rows[1000]).toBe("…[truncated 4000 items]");
    expect(JSON.stringify(record).length).toBeLessThan(200_000);
  });

  it("takes trace and span ids from telemetry's hook when it is set", async () => {
    const { recorder, store } = sqliteRecorder();
    recorder.useTraceIds(() => ({ traceId: "a".repeat(32), spanId: "c".repeat(16) }));
    const observation = recorder.startRequest(request({ traceparent: null }));
    observation.decided(decided(true));
    await observation.end({ status: "ok" });
    expect(await store.query({})).toMatchObject([
      { trace_id: "a".repeat(32), span_id: "c".repeat(16) },
    ]);
  });

  it("a failing SQLite store spools (buffer) or fails the call closed (deny)", async () => {
    for (const mode of ["buffer", "deny"] as const) {
      const { recorder, store, log } = sqliteRecorder({ onStoreFailure: mode }, mode);
      await store.close(); // every write now throws, as on a broken disk
      const observation = recorder.startRequest(request());
      observation.decided(decided(false));
      const ended = observation.end({ status: "denied" });
      const spool = join(temp.path, mode, "spool.jsonl");
      if (mode === "buffer") {
        await ended;
        expect(readFileSync(spool, "utf8").trim().split("\n")).toHaveLength(1);
      } else {
        await expect(ended).rejects.toBeInstanceOf(AuditUnavailableError);
      }
      expect(log.lines).toContainEqual(
        expect.objectContaining({ level: "error", msg: "AUDIT STORE UNAVAILABLE" }),
      );
      await recorder.close();
    }
  });

  it("replays a spool left by an earlier run into the store at start", async () => {
    const left = body({ decision_id: "left-in-spool" });
    const spool = temp.put("data/spool.jsonl", `${JSON.stringify(left)}\n{"torn line`);
    const { recorder, store, log } = sqliteRecorder();
    await recorder.writer.recover();
    expect(recorder.writer.available).toBe(true);
    expect((await store.query({})).map((r) => r.decision_id)).toEqual(["left-in-spool"]);
    expect(existsSync(spool)).toBe(false);
    // the torn last line (a crash while writing it) is kept aside and reported, not dropped
    expect(readFileSync(`${spool}.rejected`, "utf8")).toBe('{"torn line\n');
    expect(log.lines).toContainEqual(
      expect.objectContaining({ level: "error", msg: "audit spool lines unreadable; kept aside" }),
    );
  });

  it("the retention job removes old records and records that it did", async () => {
    const { recorder, store, log } = sqliteRecorder();
    for (let i = 0; i < 3; i++) {
      const o = recorder.startRequest(request({ requestId: i }));
      o.decided(decided(true));
      await o.end({ status: "ok" });
    }
    const job = new RetentionJob(store, 60_000, log);
    // pretend it is two minutes later: every record is older than one minute
    const record = await job.runOnce(Date.now() + 120_000);
    expect(record).toMatchObject({
      kind: "retention",
      retention: { removed: 3, first_seq: 1, last_seq: 3 },
    });
    expect(log.lines).toContainEqual(
      expect.objectContaining({ msg: "audit retention removed old records" }),
    );
    expect(await verifyChain(store)).toMatchObject({ ok: true, anchor: "retention", records: 1 });
  });
});

const skipPostgres = await postgresUnavailable();

describe.skipIf(skipPostgres !== null)("DecisionRecorder with the PostgreSQL store", () => {
  const temp = useTempDir("gatehouse-recorder-pg");
  const schema = uniqueSchema();
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  afterAll(async () => {
    await dropSchema(schema);
  });

  function pgRecorder(url: string, overrides: Partial<AuditConfig> = {}) {
    const log = capturingLog();
    const store = new PostgresAuditStore({ connectionString: url, schema, connectTimeoutMs: 500 });
    const recorder = new DecisionRecorder({
      store,
      spoolPath: join(temp.path, "spool.jsonl"),
      audit: auditConfig(overrides),
      log,
    });
    closers.push(() => recorder.close());
    return { recorder, log };
  }

  function reader(): AuditStore {
    const store = new PostgresAuditStore({ connectionString: POSTGRES_URL, schema });
    closers.push(() => store.close());
    return store;
  }

  function call(recorder: DecisionRecorder, allow: boolean) {
    const observation = recorder.startRequest(request());
    const facts = decided(allow);
    observation.decided(facts);
    return { ended: observation.end({ status: allow ? "ok" : "denied" }), facts };
  }

  it("batches allows, and a denial is stored before its end() settles", async () => {
    const { recorder } = pgRecorder(POSTGRES_URL, { batchWindowMs: 60_000 });
    const store = reader();
    const before = (await store.query({})).length;
    const allow = call(recorder, true);
    expect(allow.ended).toBeUndefined();
    const deny = call(recorder, false);
    expect(deny.ended).toBeInstanceOf(Promise);
    await deny.ended;
    // the denial flushed the batch it joined: both are stored, in call order
    const records = await store.query({ order: "newest", limit: 2 });
    expect(records.map((r) => r.decision_id)).toEqual([
      deny.facts.decision.decisionId,
      allow.facts.decision.decisionId,
    ]);
    expect((await store.query({})).length).toBe(before + 2);
    expect((await verifyChain(store)).ok).toBe(true);
  });

  it("store down, onStoreFailure deny: calls fail closed and answered allows are spooled", async () => {
    const { recorder, log } = pgRecorder(
      `postgres://postgres@127.0.0.1:${await closedPort()}/test`,
      {
        onStoreFailure: "deny",
      },
    );
    const allow = call(recorder, true);
    expect(allow.ended).toBeUndefined();
    const deny = call(recorder, false);
    await expect(deny.ended).rejects.toBeInstanceOf(AuditUnavailableError);
    // the allow was answered already: it went to the spool, not nowhere
    const spooled = readFileSync(join(temp.path, "spool.jsonl"), "utf8").trim().split("\n");
    expect(spooled.map((l) => JSON.parse(l).decision_id)).toEqual([
      allow.facts.decision.decisionId,
    ]);
    // while the store is down, every new call fails closed
    await expect(call(recorder, true).ended).rejects.toThrow(/audit store .* is unavailable/);
    expect(log.lines.filter((l) => l.msg === "AUDIT STORE UNAVAILABLE")).toHaveLength(1);
  });

  it("store down, onStoreFailure buffer: records spool to disk and replay when it is back", async () => {
    const relay = new PostgresRelay();
    await relay.start();
    closers.push(() => relay.cut());
    const { recorder, log } = pgRecorder(relay.url, { onStoreFailure: "buffer", batchWindowMs: 0 });
    const store = reader();
    await call(recorder, false).ended; // stored directly
    const before = await store.query({ order: "chain" });

    await relay.cut();
    const deny = call(recorder, false);
    await deny.ended; // resolves: the denial is in the fsynced spool
    const allow = call(recorder, true);
    expect(allow.ended).toBeUndefined();
    await recorder.writer.flush();
    const spoolPath = join(temp.path, "spool.jsonl");
    expect(readFileSync(spoolPath, "utf8").trim().split("\n")).toHaveLength(2);
    expect(log.lines).toContainEqual(
      expect.objectContaining({ level: "error", msg: "AUDIT STORE UNAVAILABLE" }),
    );

    await relay.start(); // same port: the store is back
    await recorder.writer.recover();
    expect(recorder.writer.available).toBe(true);
    expect(existsSync(spoolPath)).toBe(false);
    const after = await store.query({ order: "chain" });
    expect(after.length).toBe(before.length + 2);
    expect(after.slice(-2).map((r) => r.decision_id)).toEqual([
      deny.facts.decision.decisionId,
      allow.facts.decision.decisionId,
    ]);
    expect((await verifyChain(store)).ok).toBe(true);
    expect(log.lines).toContainEqual(
      expect.objectContaining({ msg: "audit spool replayed into the store" }),
    );
  });
});
