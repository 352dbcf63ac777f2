// Shared by the audit tests: record bodies, PostgreSQL reachability, raw access for tampering.
import { randomUUID } from "node:crypto";
import net from "node:net";
import pg from "pg";
import type { RecordBody } from "../../../gateway/audit/record.ts";

export const POSTGRES_URL =
  process.env.GATEHOUSE_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * Null when PostgreSQL answers; otherwise the reason to skip, printed. Throws instead when
 * GATEHOUSE_REQUIRE_SERVICES=1 (CI), so a missing service fails the run.
 */
export async function postgresUnavailable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (e) {
    const reason = `PostgreSQL at ${POSTGRES_URL} is unreachable (${e instanceof Error ? e.message : String(e)})`;
    if (process.env.GATEHOUSE_REQUIRE_SERVICES === "1") {
      throw new Error(`${reason}; GATEHOUSE_REQUIRE_SERVICES=1 requires it`);
    }
    console.warn(`skipping PostgreSQL audit tests: ${reason}`);
    return reason;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** a schema name no other run uses */
export function uniqueSchema(): string {
  return `audit_test_${process.pid}_${randomUUID().slice(0, 8)}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

let counter = 0;

export function body(overrides: Partial<RecordBody> = {}): RecordBody {
  counter++;
  const args = { path: `/tmp/file-${counter}.txt`, depth: 1.5, nested: { list: [1, "two", null] } };
  return {
    id: randomUUID(),
    kind: "decision",
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, counter)).toISOString(),
    decision_id: `dec-${counter}`,
    trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
    span_id: "00f067aa0ba902b7",
    principal: { sub: "alice", iss: "https://idp.example", auth: "jwt", groups: ["eng"] },
    session_id: "session-1",
    method: "tools/call",
    server: "files",
    tool: "read_file",
    arguments: args,
    input: {
      version: 1,
      mcp: { method: "tools/call", arguments: args },
      principal: { sub: "alice" },
    },
    allow: true,
    reasons: ["eng may read"],
    obligations: { redact_arguments: [], redact_result: [], confirm: false, rate_limit: null },
    revision: "rev-1",
    bundle_digest: "a".repeat(64),
    eval_micros: 42,
    latency_ms: 3.25,
    outcome: { status: "ok" },
    upstream: {
      server: "files",
      transport: "stdio",
      method: "tools/call",
      target: "read_file",
      outcome: { status: "ok" },
      latency_ms: 1.5,
    },
    retention: null,
    ...overrides,
  };
}

/** A TCP relay to PostgreSQL that a test can cut and restore: the store "goes down" for real. */
export class PostgresRelay {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  async start(): Promise<void> {
    const target = new URL(POSTGRES_URL);
    this.server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** stop accepting and drop every open connection */
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    this.server = undefined;
  }

  get url(): string {
    const target = new URL(POSTGRES_URL);
    target.host = `127.0.0.1:${this.port}`;
    return target.toString();
  }
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
