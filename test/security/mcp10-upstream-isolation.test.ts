// MCP10 context over-sharing across tenants, through shared upstream state. A real gateway
// (Gateway.start, development tokens for two principals, ada and bob) fronts the real
// @modelcontextprotocol/server-everything from npm: over Streamable HTTP (isolation session, the
// HTTP default), over stdio (isolation principal, the stdio default), and over stdio declared
// `shared`, capped at one connection, or closed after four idle seconds. Each catalog server is
// reached through a virtual server of its own (/mcp/<view>), so a session touches only the upstream
// of its scenario. The policy allows everything: isolation must hold whatever the policy lets both
// tenants do. Every attack asserts the refusal and that nothing of the other tenant reached the
// attacker (its client's transcript of every message received, and the gateway's log).
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  McpError,
  ResourceUpdatedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signDevToken } from "../../gateway/auth/dev-token.ts";
import type { Catalog, CatalogVirtualServer } from "../../gateway/catalog/index.ts";
import { loadConfig } from "../../gateway/config.ts";
import { Gateway } from "../../gateway/gateway.ts";
import type { Logger } from "../../gateway/log.ts";
import { within } from "../gateway/server/helpers.ts";
import {
  catalogOf,
  childPids,
  everythingEntry,
  freePort,
  startEverythingHttp,
  stdio,
  stopChild,
  waitFor,
} from "../gateway/upstream/helpers.ts";

/** Allows every request and shows every list candidate: the attacks are not the policy's to stop. */
const ALLOW_ALL = `package gatehouse

decision := {
	"allow": true,
	"reasons": ["isolation attacks: the policy allows everything"],
	"obligations": {"redact_arguments": [], "redact_result": [], "confirm": false, "rate_limit": null},
	"visible_tools": [sprintf("%s__%s", [c.server, c.name]) | some c in input.list],
}
`;

/** The views (virtual servers), each over one upstream server of its own. */
const VIEWS = {
  http: "ev-http", // Streamable HTTP: isolation session by default
  stdio: "ev-stdio", // stdio: isolation principal by default
  shared: "ev-shared", // stdio, declared shared
  capped: "ev-capped", // stdio, principal, max_connections: 1
  idle: "ev-idle", // stdio, principal, idle_timeout_seconds: 4
} as const;
type View = keyof typeof VIEWS;

const TOOLS = [
  "echo",
  "gzip-file-as-resource",
  "toggle-simulated-logging",
  "toggle-subscriber-updates",
  "trigger-long-running-operation",
  "trigger-sampling-request",
  "trigger-elicitation-request",
];

function isolationCatalog(httpPort: number): Catalog {
  const everything = stdio([everythingEntry, "stdio"]);
  const catalog = catalogOf(
    {
      "ev-http": { type: "http", url: `http://127.0.0.1:${httpPort}/mcp`, headers: {} },
      "ev-stdio": everything,
      "ev-shared": everything,
      "ev-capped": everything,
      "ev-idle": everything,
    },
    {
      "ev-shared": { isolation: "shared" },
      "ev-capped": { max_connections: 1 },
      "ev-idle": { idle_timeout_seconds: 4 },
    },
  );
  const virtual = new Map<string, CatalogVirtualServer>();
  for (const [view, server] of Object.entries(VIEWS))
    virtual.set(view, {
      name: view,
      description: `server-everything as ${server}`,
      tools: TOOLS.map((tool) => ({ server, tool })),
      prompts: [],
      resources: [{ server }],
      source: `${view}.yaml`,
    });
  return { ...catalog, virtualServers: virtual };
}

/** A plaintext only ada ever sends, and the data: URI that carries it to gzip-file-as-resource. */
const ADA_SECRET = `ada-private-plaintext-${Math.random().toString(36).slice(2)}`;
const adaData = `data:text/plain;base64,${Buffer.from(ADA_SECRET).toString("base64")}`;
const RESOURCE = "demo://resource/session/a-private.gz";
const DOCUMENT = "demo://resource/static/document/architecture.md";

let dir: string;
let everythingHttp: ChildProcess | undefined;
let gateway: Gateway;
let dataDir: string;
const logLines: string[] = [];
const log: Logger = {
  log: (level, message, fields) =>
    void logLines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
};
const opened: Session[] = [];

interface Session {
  sub: string;
  client: Client;
  transport: StreamableHTTPClientTransport;
  /** every message the client received, as JSON */
  transcript: string[];
  logs: { level: string; data: string }[];
  updates: string[];
  /** the params of every sampling or elicitation request the client was asked */
  asked: string[];
}

async function open(sub: string, view: View): Promise<Session> {
  const token = await signDevToken(dataDir, {
    sub,
    audience: gateway.url,
    groups: ["eng"],
    ttlSeconds: 3600,
  });
  const client = new Client(
    { name: `tenant-${sub}`, version: "1.0.0" },
    { capabilities: { sampling: {}, elicitation: { form: {} } } },
  );
  const session: Session = {
    sub,
    client,
    transport: new StreamableHTTPClientTransport(new URL(`${gateway.url}/${view}`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
    transcript: [],
    logs: [],
    updates: [],
    asked: [],
  };
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    session.logs.push({ level: n.params.level, data: JSON.stringify(n.params.data) });
  });
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    session.updates.push(n.params.uri);
  });
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    session.asked.push(JSON.stringify(request.params));
    return {
      role: "assistant",
      model: "test",
      content: { type: "text", text: `sampled by ${sub}` },
    };
  });
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    session.asked.push(JSON.stringify(request.params));
    return { action: "decline" };
  });
  await within(`${sub} connects to /mcp/${view}`, client.connect(session.transport), 60_000);
  const deliver = session.transport.onmessage;
  session.transport.onmessage = (message) => {
    session.transcript.push(JSON.stringify(message));
    deliver?.(message);
  };
  opened.push(session);
  return session;
}

const call = (s: Session, name: string, args: Record<string, unknown> = {}) =>
  within(`${s.sub} calls ${name}`, s.client.callTool({ name, arguments: args }), 90_000);

/** ada's gzip-file-as-resource: the resource's base64 body, as ada herself reads it back. */
async function createPrivateResource(ada: Session): Promise<string> {
  const created = await call(ada, "gzip-file-as-resource", {
    name: "a-private.gz",
    data: adaData,
    outputType: "resourceLink",
  });
  expect(JSON.stringify(created)).toContain(RESOURCE);
  const read = await within("ada reads", ada.client.readResource({ uri: RESOURCE }), 60_000);
  const blob = (read.contents[0] as { blob?: string }).blob;
  expect(blob && blob.length > 10).toBe(true);
  return blob!;
}

async function errorOf(promise: Promise<unknown>): Promise<McpError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(McpError);
  return outcome as McpError;
}

/** Nothing of ada's reached `session` (nor the gateway's log). */
function sawNothingOf(session: Session, ...secrets: string[]): void {
  const transcript = session.transcript.join("\n");
  for (const secret of [ADA_SECRET, ...secrets]) {
    expect(transcript).not.toContain(secret);
    expect(logLines.join("\n")).not.toContain(secret);
  }
}

const simulatedLogs = (s: Session) => s.logs.filter((l) => l.data.includes("-level message"));

/** Runs `until` while `s`'s upstream sends its simulated log messages (one every 5 s). */
async function whileLogging(s: Session, until: () => Promise<void>): Promise<void> {
  await call(s, "toggle-simulated-logging");
  try {
    await until();
  } finally {
    await call(s, "toggle-simulated-logging");
  }
}

const bobHearsBelowEmergency = (bob: Session) =>
  waitFor(
    "a message below emergency for bob",
    () => simulatedLogs(bob).some((l) => l.level !== "emergency"),
    60_000,
  );
const statusOf = (server: string) => gateway.pool.status().find((s) => s.name === server)!;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gatehouse-mcp10-"));
  const policyDir = join(dir, "policy");
  mkdirSync(policyDir);
  writeFileSync(join(policyDir, "allow-all.rego"), ALLOW_ALL);
  dataDir = join(dir, "data");
  const port = await freePort();
  everythingHttp = await startEverythingHttp("streamableHttp", port);
  const config = loadConfig({
    flags: { port: 0, dev: true, dataDir, policyDirs: [policyDir] },
  });
  gateway = await Gateway.start(config, { log, catalog: isolationCatalog(port) });
  // a per-caller server has no connection until someone calls: its start-up probe says it works
  await waitFor(
    "every upstream probed",
    () => gateway.pool.status().every((s) => s.state === "ready"),
    90_000,
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(opened.map((s) => s.client.close().catch(() => undefined)));
  await gateway?.close();
  await stopChild(everythingHttp);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

for (const [view, isolation] of [
  ["http", "session"],
  ["stdio", "principal"],
] as const) {
  describe(`a session resource on ${VIEWS[view]} (isolation ${isolation})`, () => {
    let ada: Session;
    let bob: Session;
    let adaBlob: string;

    beforeAll(async () => {
      expect(statusOf(VIEWS[view]).isolation).toBe(isolation);
      ada = await open("ada", view);
      adaBlob = await createPrivateResource(ada);
      bob = await open("bob", view);
    }, 180_000);

    it(`bob lists resources hoping to see ada's gzip-file-as-resource output (${isolation})`, async () => {
      const mine = await within("ada lists", ada.client.listResources(), 60_000);
      expect(mine.resources.map((r) => r.uri)).toContain(RESOURCE);
      const listed = await within("bob lists", bob.client.listResources(), 60_000);
      expect(listed.resources.map((r) => r.uri)).not.toContain(RESOURCE);
      expect(JSON.stringify(listed)).not.toContain("a-private.gz");
      sawNothingOf(bob, adaBlob);
    }, 120_000);

    it(`bob reads ada's session resource by its URI (${isolation})`, async () => {
      const error = await errorOf(
        within("bob reads", bob.client.readResource({ uri: RESOURCE }), 60_000),
      );
      expect(error.code).toBe(-32002);
      expect(error.message).toContain(`unknown resource ${RESOURCE}`);
      sawNothingOf(bob, adaBlob);
    }, 120_000);

    it(`a second session of ada's hoping to read what her first created (${isolation})`, async () => {
      const again = await open("ada", view);
      const listed = await within("ada's 2nd session lists", again.client.listResources(), 60_000);
      if (isolation === "principal") {
        // documented: a principal's sessions share its principal-scoped process
        expect(listed.resources.map((r) => r.uri)).toContain(RESOURCE);
      } else {
        // session isolation: even the same principal's other session has its own upstream session
        expect(listed.resources.map((r) => r.uri)).not.toContain(RESOURCE);
        await errorOf(within("read", again.client.readResource({ uri: RESOURCE }), 60_000));
        sawNothingOf(again, adaBlob);
      }
      // and bob still sees none of it
      sawNothingOf(bob, adaBlob);
    }, 120_000);
  });
}

describe("server->client traffic stays inside the connection key's scope", () => {
  for (const view of ["stdio", "http"] as const) {
    it(`bob keeps a call in flight while ada's simulated logging runs on ${VIEWS[view]}: none of ada's log messages reach him`, async () => {
      const ada = await open("ada", view);
      const bob = await open("bob", view);
      // bob's call is in flight while ada's upstream logs on its own, every 5 s
      await whileLogging(ada, async () => {
        const busy = call(bob, "trigger-long-running-operation", { duration: 7, steps: 7 });
        await waitFor("ada's periodic log message", () => simulatedLogs(ada).length >= 2, 60_000);
        await busy;
      });
      expect(simulatedLogs(bob)).toEqual([]);
      for (const entry of simulatedLogs(ada)) sawNothingOf(bob, entry.data);
    }, 150_000);
  }

  it("ada's logging/setLevel(emergency) on a principal-scoped upstream leaves bob's log levels alone", async () => {
    const ada = await open("ada", "stdio");
    const bob = await open("bob", "stdio");
    await within("ada sets her level", ada.client.setLoggingLevel("emergency"), 60_000);
    // random levels every 5 s: bob, unaffected by ada's level, soon gets one below emergency
    await whileLogging(bob, () => bobHearsBelowEmergency(bob));
    expect(ada.logs.filter((l) => l.level !== "emergency")).toEqual([]);
  }, 150_000);

  it("ada's logging/setLevel(emergency) on a shared upstream filters ada's messages only, never the upstream's level for bob", async () => {
    const ada = await open("ada", "shared");
    const bob = await open("bob", "shared");
    await within("bob uses the shared upstream", bob.client.listTools(), 60_000);
    await within("ada sets her level", ada.client.setLoggingLevel("emergency"), 60_000);
    await whileLogging(ada, () => bobHearsBelowEmergency(bob));
    // the gateway applied ada's level to ada alone
    expect(ada.logs.filter((l) => l.level !== "emergency")).toEqual([]);
  }, 150_000);

  it("bob subscribes to the resource ada watches: the updates ada's upstream sends never reach him", async () => {
    const ada = await open("ada", "stdio");
    const bob = await open("bob", "stdio");
    await within("ada subscribes", ada.client.subscribeResource({ uri: DOCUMENT }), 60_000);
    await within("bob subscribes", bob.client.subscribeResource({ uri: DOCUMENT }), 60_000);
    await call(ada, "toggle-subscriber-updates");
    try {
      // one at once, then every 5 s: wait for a second one, so bob had a whole period to get one
      await waitFor("ada's updates", () => ada.updates.length >= 2, 60_000);
    } finally {
      await call(ada, "toggle-subscriber-updates");
    }
    expect(ada.updates.every((uri) => uri === DOCUMENT)).toBe(true);
    expect(bob.updates).toEqual([]);
    expect(bob.transcript.join("\n")).not.toContain("notifications/resources/updated");
  }, 150_000);

  it("bob's call is in flight when ada's upstream asks for sampling: only ada is asked", async () => {
    const ada = await open("ada", "stdio");
    const bob = await open("bob", "stdio");
    const prompt = `ada-sampling-prompt-${ADA_SECRET}`;
    const [sampled] = await Promise.all([
      call(ada, "trigger-sampling-request", { prompt }),
      call(bob, "trigger-long-running-operation", { duration: 3, steps: 3 }),
    ]);
    expect(JSON.stringify(sampled)).toContain("sampled by ada");
    expect(ada.asked.some((a) => a.includes(prompt))).toBe(true);
    expect(bob.asked).toEqual([]);
    sawNothingOf(bob, prompt);
  }, 150_000);

  it("bob's call is in flight when ada's upstream asks for elicitation: only ada is asked", async () => {
    const ada = await open("ada", "stdio");
    const bob = await open("bob", "stdio");
    await Promise.all([
      call(ada, "trigger-elicitation-request"),
      call(bob, "trigger-long-running-operation", { duration: 3, steps: 3 }),
    ]);
    expect(ada.asked.length).toBe(1);
    expect(bob.asked).toEqual([]);
    expect(bob.transcript.join("\n")).not.toContain("elicitation/create");
  }, 150_000);

  it("on a shared upstream, a sampling request no call names is refused rather than guessed onto another tenant", async () => {
    const ada = await open("ada", "shared");
    const bob = await open("bob", "shared");
    const prompt = `ada-shared-prompt-${ADA_SECRET}`;
    // bob's call is in flight first (its progress shows it arrived), then ada's asks for sampling
    let bobStarted!: () => void;
    const started = new Promise<void>((resolve) => (bobStarted = resolve));
    const busy = within(
      "bob's long call",
      bob.client.callTool(
        { name: "trigger-long-running-operation", arguments: { duration: 4, steps: 4 } },
        undefined,
        { onprogress: () => bobStarted() },
      ),
      90_000,
    );
    await within("bob's call started", started, 60_000);
    await call(ada, "trigger-sampling-request", { prompt }).catch(() => undefined);
    await busy;
    expect(bob.asked).toEqual([]);
    sawNothingOf(bob, prompt);
  }, 150_000);
});

describe("the bounds of principal-scoped servers", () => {
  it("bob arrives when ev-capped's one connection is ada's: refused with a clear error, never put on ada's process", async () => {
    const ada = await open("ada", "capped");
    const adaBlob = await createPrivateResource(ada);
    const bob = await open("bob", "capped");
    const refused = await errorOf(call(bob, "echo", { message: "hello" }));
    expect(refused.code).toBe(-32603);
    expect(refused.message).toContain(
      "upstream ev-capped has no free connection: all 1 (isolation principal: one per principal) are in use, and connections are never shared between principals; retry later, or raise max_connections in ev-capped.yaml",
    );
    // nor can bob reach ada's resource through the full server: it is left out of his lists
    const listed = await within("bob lists", bob.client.listResources(), 60_000);
    expect(listed.resources.map((r) => r.uri)).not.toContain(RESOURCE);
    const read = await errorOf(within("bob reads", bob.client.readResource({ uri: RESOURCE })));
    expect(read.code).toBe(-32002);
    sawNothingOf(bob, adaBlob);
    expect(statusOf("ev-capped").connections).toEqual({ open: 1, ready: 1, max: 1 });
    // ada herself is still served
    expect(JSON.stringify(await call(ada, "echo", { message: "still mine" }))).toContain(
      "still mine",
    );
  }, 150_000);

  it("ada's idle process on ev-idle is closed after idle_timeout_seconds, and her data goes with it", async () => {
    const ada = await open("ada", "idle");
    const adaBlob = await createPrivateResource(ada);
    const withAda = childPids().length;
    expect(statusOf("ev-idle").connections.open).toBe(1);
    await waitFor(
      "ada's idle connection closed",
      () => statusOf("ev-idle").connections.open === 0,
      30_000,
    );
    await waitFor("its process gone", () => childPids().length === withAda - 1, 30_000);
    expect(logLines.join("\n")).toMatch(/upstream ev-idle: closing a connection \(it was idle/);
    // her next request gets a fresh process, in which nothing of hers is left
    const listed = await within("ada lists again", ada.client.listResources(), 60_000);
    expect(listed.resources.map((r) => r.uri)).not.toContain(RESOURCE);
    expect(JSON.stringify(listed)).not.toContain(adaBlob);
  }, 150_000);

  it("a server the catalog declares shared is shared, as declared (the only way tenants meet upstream)", async () => {
    const ada = await open("ada", "shared");
    await createPrivateResource(ada);
    const bob = await open("bob", "shared");
    const listed = await within("bob lists", bob.client.listResources(), 60_000);
    expect(listed.resources.map((r) => r.uri)).toContain(RESOURCE);
    expect(statusOf("ev-shared")).toMatchObject({
      isolation: "shared",
      connections: { open: 1, max: 1 },
    });
    // and no other server was shared by default
    for (const server of ["ev-http", "ev-stdio", "ev-capped", "ev-idle"])
      expect(statusOf(server).isolation).not.toBe("shared");
  }, 150_000);

  it("a session-scoped upstream session ends with its downstream session: nothing of it is left for the next caller", async () => {
    const ada = await open("ada", "http");
    await createPrivateResource(ada);
    const openBefore = statusOf("ev-http").connections.open;
    await within("ada ends her session", ada.transport.terminateSession(), 60_000);
    await waitFor(
      "ada's upstream session closed",
      () => statusOf("ev-http").connections.open === openBefore - 1,
      30_000,
    );
    const bob = await open("bob", "http");
    const listed = await within("bob lists", bob.client.listResources(), 60_000);
    expect(listed.resources.map((r) => r.uri)).not.toContain(RESOURCE);
    sawNothingOf(bob);
  }, 150_000);
});
