// The session server against real SDK clients and servers over InMemoryTransport, with the
// repository's default policy (policies/) and a test catalog (fixtures/catalog).
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  McpError,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type Progress,
} from "@modelcontextprotocol/sdk/types.js";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../../../gateway/catalog/index.ts";
import { registryFor } from "../../../gateway/mcp/relay.ts";
import { PolicyEngine } from "../../../gateway/policy/index.ts";
import {
  alice,
  CATALOG_DIR,
  connect,
  mallory,
  pat,
  POLICY_DIR,
  type Connected,
} from "./harness.ts";
import { memoryPool } from "./memory-pool.ts";
import {
  everythingServer,
  filesystemServer,
  manyToolsServer,
  type EverythingProbe,
} from "./upstreams.ts";

const ENG_PROMPTS_POLICY_DIR = fileURLToPath(
  new URL("./fixtures/policy-eng-prompts", import.meta.url),
);

async function failure(promise: Promise<unknown>): Promise<McpError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof McpError) return e;
    throw e;
  }
  throw new Error("expected the request to fail");
}

async function allToolNames(session: Connected): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await session.client.listTools(cursor ? { cursor } : {});
    names.push(...page.tools.map((t) => t.name));
    cursor = page.nextCursor;
  } while (cursor);
  return names;
}

function text(result: unknown): string {
  const content = (result as { content: { type: string; text?: string }[] }).content;
  return content.map((c) => c.text ?? "").join("");
}

let policy: PolicyEngine;
let pool: Awaited<ReturnType<typeof memoryPool>>;
let probe: EverythingProbe;
let filesystemUpstream: ReturnType<typeof filesystemServer>;
const open: Connected[] = [];

async function session(
  options: Omit<Parameters<typeof connect>[0], "pool" | "policy">,
): Promise<Connected> {
  const connected = await connect({ pool, policy, ...options });
  open.push(connected);
  return connected;
}

beforeAll(async () => {
  policy = await PolicyEngine.fromDirectories([POLICY_DIR]);
  const everything = everythingServer();
  probe = everything.probe;
  filesystemUpstream = filesystemServer();
  pool = await memoryPool({
    everything: everything.server,
    filesystem: filesystemUpstream,
    memory: manyToolsServer(250),
    github: undefined, // never comes up
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await pool?.close();
});

describe("initialize", () => {
  it("negotiates the version and answers as gatehouse with the view's capabilities", async () => {
    const { client } = await session({ principal: alice });
    expect(client.getServerVersion()).toEqual({ name: "gatehouse", version: expect.any(String) });
    const capabilities = client.getServerCapabilities();
    expect(capabilities?.tools).toBeDefined();
    expect(capabilities?.prompts).toBeDefined();
    expect(capabilities?.resources).toBeDefined();
    expect(capabilities?.logging).toBeDefined();
    expect(client.getInstructions()).toContain(
      'Instructions of upstream server "everything" (its tools are named everything__<name>), quoted as it wrote them:\n> Test tools for everything.',
    );
    await expect(client.ping()).resolves.toEqual({});
  });
});

describe("tools/list", () => {
  it("namespaces, filters per principal (alice in eng), skips a server that is down, and pages", async () => {
    const s = await session({ principal: alice });
    const first = await s.client.listTools();
    expect(first.tools).toHaveLength(100);
    expect(first.nextCursor).toEqual(expect.any(String));
    const names = await allToolNames(s);
    expect(names.filter((n) => n.startsWith("memory__"))).toHaveLength(250);
    expect(names.filter((n) => !n.startsWith("memory__")).sort()).toEqual([
      "everything__add",
      "everything__echo",
      "everything__longRunningOperation",
      "everything__sampleLLM",
      "filesystem__read_file",
      "filesystem__write_file",
    ]);
    const sample = first.tools.find((t) => t.name === "everything__sampleLLM");
    expect(sample?.description).toBe("Ask the caller's model"); // the catalog's override
  });

  it("shows a contractor (mallory) only read tools", async () => {
    const names = await allToolNames(await session({ principal: mallory }));
    expect(names.filter((n) => !n.startsWith("memory__")).sort()).toEqual([
      "everything__add",
      "everything__echo",
      "filesystem__read_file",
    ]);
  });

  it("refuses a forged cursor", async () => {
    const s = await session({ principal: alice });
    const error = await failure(s.client.listTools({ cursor: "bm90IGEgY3Vyc29y" }));
    expect(error.code).toBe(-32602);
  });

  it("uses the configured separator", async () => {
    const s = await session({ principal: alice, separator: "." });
    const names = await allToolNames(s);
    expect(names).toContain("everything.echo");
    expect(
      text(await s.client.callTool({ name: "everything.echo", arguments: { message: "dot" } })),
    ).toBe("Echo: dot");
  });

  it("refuses a separator that occurs in a server name", async () => {
    await expect(connect({ pool, policy, principal: alice, separator: "e" })).rejects.toThrow(
      /server name everything contains the namespace separator "e"/,
    );
  });
});

describe("tools/call", () => {
  it("forwards an allowed call and returns the upstream's result", async () => {
    const s = await session({ principal: alice });
    const result = await s.client.callTool({
      name: "everything__echo",
      arguments: { message: "hi" },
    });
    expect(text(result)).toBe("Echo: hi");
  });

  it("denies with code -32003, the reason and the decision id", async () => {
    const s = await session({ principal: mallory });
    const error = await failure(
      s.client.callTool({ name: "everything__longRunningOperation", arguments: { steps: 1 } }),
    );
    expect(error.code).toBe(-32003);
    const data = error.data as { decision_id: string; reasons: string[] };
    expect(data.reasons[0]).toBe(
      "mallory may not call longRunningOperation on server everything (risk write)",
    );
    expect(data.decision_id).toMatch(/\S+/);
    expect(error.message).toBe(
      `MCP error -32003: denied by policy: ${data.reasons[0]} (decision ${data.decision_id})`,
    );
  });

  it("denies a tool the policy lists as denied, even for a developer", async () => {
    const s = await session({ principal: alice });
    const error = await failure(s.client.callTool({ name: "everything__printEnv", arguments: {} }));
    expect(error.code).toBe(-32003);
  });

  it("answers -32602 for unknown tools", async () => {
    const s = await session({ principal: alice });
    for (const name of ["everything__nope", "nosuchserver__echo", "echo"]) {
      const error = await failure(s.client.callTool({ name, arguments: {} }));
      expect(error.code).toBe(-32602);
      expect(error.message).toContain(`unknown tool ${name}`);
    }
  });

  it("names the server that is down", async () => {
    const s = await session({ principal: alice });
    const error = await failure(
      s.client.callTool({ name: "github__search_repositories", arguments: {} }),
    );
    expect(error.code).toBe(-32603);
    expect(error.message).toContain("server github is not connected");
  });

  it("relays progress under the client's own token", async () => {
    const s = await session({ principal: alice });
    const seen: Progress[] = [];
    const result = await s.client.callTool(
      { name: "everything__longRunningOperation", arguments: { steps: 3 } },
      undefined,
      { onprogress: (p) => seen.push(p) },
    );
    expect(text(result)).toBe("done 3");
    expect(seen.map((p) => p.progress)).toEqual([1, 2, 3]);
  });

  it("passes a cancellation on to the upstream", async () => {
    const s = await session({ principal: alice });
    const abort = new AbortController();
    const call = s.client.callTool(
      { name: "everything__longRunningOperation", arguments: { steps: 0, wait: true } },
      undefined,
      { signal: abort.signal },
    );
    await probe.started;
    abort.abort("stop");
    await expect(call).rejects.toThrow();
    for (let i = 0; i < 100 && !probe.cancelled; i++) await new Promise((r) => setTimeout(r, 10));
    expect(probe.cancelled).toBe(true);
  });

  it("has the calling client answer an upstream's sampling request, and relays its log message", async () => {
    const logs: unknown[] = [];
    const s = await session({
      principal: alice,
      capabilities: { sampling: {} },
      setup: (client) => {
        client.setRequestHandler(CreateMessageRequestSchema, async (request) => ({
          role: "assistant",
          model: "test-model",
          content: {
            type: "text",
            text: `42 (${(request.params.messages[0]!.content as { text: string }).text})`,
          },
        }));
        client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
          logs.push(n.params.data);
        });
      },
    });
    const result = await s.client.callTool({
      name: "everything__sampleLLM",
      arguments: { prompt: "meaning" },
    });
    expect(text(result)).toBe("model said: 42 (meaning)");
    expect(logs).toContain("sampling for meaning");
  });

  it("asks for confirmation through elicitation, showing the exact arguments", async () => {
    const asked: string[] = [];
    const s = await session({
      principal: pat,
      capabilities: { elicitation: {} },
      setup: (client) => {
        client.setRequestHandler(ElicitRequestSchema, async (request) => {
          asked.push(String(request.params.message));
          return { action: "accept", content: { confirm: true } };
        });
      },
    });
    const result = await s.client.callTool({
      name: "filesystem__delete_file",
      arguments: { path: "/sandbox/old.txt" },
    });
    expect(text(result)).toBe("deleted /sandbox/old.txt");
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain('"path": "/sandbox/old.txt"');
  });

  it("denies a call needing confirmation when the user declines or the client cannot ask", async () => {
    const declining = await session({
      principal: pat,
      capabilities: { elicitation: {} },
      setup: (client) =>
        client.setRequestHandler(ElicitRequestSchema, async () => ({ action: "decline" })),
    });
    const declined = await failure(
      declining.client.callTool({
        name: "filesystem__delete_file",
        arguments: { path: "/sandbox/a" },
      }),
    );
    expect(declined.code).toBe(-32003);
    expect(declined.message).toContain("was not confirmed (decline)");
    const unable = await session({ principal: pat });
    const refused = await failure(
      unable.client.callTool({
        name: "filesystem__delete_file",
        arguments: { path: "/sandbox/a" },
      }),
    );
    expect(refused.code).toBe(-32003);
    expect(refused.message).toContain("requires confirmation");
    expect(
      pool.connection("filesystem").seen.filter((r) => r.params?.name === "delete_file"),
    ).toHaveLength(1);
  });
});

describe("virtual server view", () => {
  it("exposes the curated tools under their new names and routes calls to the upstream tool", async () => {
    const s = await session({ principal: alice, view: { kind: "virtual", name: "toolbox" } });
    const { tools } = await s.client.listTools();
    expect(tools.map((t) => [t.name, t.description])).toEqual([
      ["read_note", "Read a note"],
      ["echo", "Echoes"],
    ]);
    const result = await s.client.callTool({
      name: "read_note",
      arguments: { path: "/sandbox/notes.txt" },
    });
    expect(text(result)).toBe("remember the milk");
    expect(pool.connection("filesystem").seen.at(-1)?.params?.name).toBe("read_file");
    const unknown = await failure(
      s.client.callTool({ name: "filesystem__read_file", arguments: {} }),
    );
    expect(unknown.code).toBe(-32602);
  });

  it("lists its curated prompts under their new names and gets them by the upstream's name", async () => {
    const s = await session({ principal: alice, view: { kind: "virtual", name: "toolbox" } });
    const { prompts } = await s.client.listPrompts();
    expect(prompts.map((p) => [p.name, p.description])).toEqual([["hello", "Says hello"]]);
    const prompt = await s.client.getPrompt({ name: "hello", arguments: { name: "Bob" } });
    expect(prompt.messages[0]?.content).toEqual({ type: "text", text: "Hello Bob" });
    expect(pool.connection("everything").seen.at(-1)).toEqual({
      method: "prompts/get",
      params: { name: "greet", arguments: { name: "Bob" } },
    });
    for (const name of ["greet", "everything__greet"]) {
      const unknown = await failure(s.client.getPrompt({ name }));
      expect(unknown.code).toBe(-32602);
      expect(unknown.message).toContain(`unknown prompt ${name}`);
    }
  });

  it("completes a renamed prompt's argument by asking the upstream under its own name", async () => {
    const s = await session({ principal: alice, view: { kind: "virtual", name: "toolbox" } });
    const result = await s.client.complete({
      ref: { type: "ref/prompt", name: "hello" },
      argument: { name: "name", value: "B" },
    });
    expect(result.completion.values).toEqual(["Bob", "Bea"]);
    expect(pool.connection("everything").seen.at(-1)).toEqual({
      method: "completion/complete",
      params: {
        ref: { type: "ref/prompt", name: "greet" },
        argument: { name: "name", value: "B" },
      },
    });
  });

  it("hides and denies its prompts where the policy says so (eng only)", async () => {
    const engOnly = await PolicyEngine.fromDirectories([ENG_PROMPTS_POLICY_DIR]);
    const toolbox = { kind: "virtual", name: "toolbox" } as const;
    const s = await connect({ pool, policy: engOnly, principal: mallory, view: toolbox });
    open.push(s);
    expect((await s.client.listPrompts()).prompts).toEqual([]);
    const before = pool.connection("everything").seen.length;
    for (const request of [
      s.client.getPrompt({ name: "hello", arguments: { name: "Bob" } }),
      s.client.complete({
        ref: { type: "ref/prompt", name: "hello" },
        argument: { name: "name", value: "B" },
      }),
    ]) {
      const denied = await failure(request);
      expect(denied.code).toBe(-32003);
      expect(denied.message).toContain("prompts are for group eng only");
    }
    expect(pool.connection("everything").seen.length).toBe(before);
    const allowed = await connect({ pool, policy: engOnly, principal: alice, view: toolbox });
    open.push(allowed);
    expect((await allowed.client.listPrompts()).prompts.map((p) => p.name)).toEqual(["hello"]);
  }, 60_000);

  it("offers the resources of its resource servers, URIs unchanged", async () => {
    const s = await session({ principal: mallory, view: { kind: "virtual", name: "toolbox" } });
    const { resources } = await s.client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(["file:///sandbox/notes.txt"]);
    const { resourceTemplates } = await s.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(["file:///sandbox/{name}"]);
    const read = await s.client.readResource({ uri: "file:///sandbox/other.txt" });
    expect(read.contents[0]?.uri).toBe("file:///sandbox/other.txt");
  });

  it("announces prompts and resources only when it curates them", async () => {
    const toolbox = await session({ principal: alice, view: { kind: "virtual", name: "toolbox" } });
    const curated = toolbox.client.getServerCapabilities();
    expect(curated?.prompts).toBeDefined();
    expect(curated?.resources).toMatchObject({ subscribe: true });
    const echo = await session({ principal: alice, view: { kind: "virtual", name: "echo-only" } });
    const toolsOnly = echo.client.getServerCapabilities();
    expect(toolsOnly?.tools).toBeDefined();
    expect(toolsOnly?.prompts).toBeUndefined();
    expect(toolsOnly?.resources).toBeUndefined();
    expect(toolsOnly?.completions).toBeUndefined();
    expect((await echo.client.listPrompts()).prompts).toEqual([]);
    const missing = await failure(echo.client.readResource({ uri: "file:///sandbox/notes.txt" }));
    expect(missing.code).toBe(-32002);
  });
});

describe("resources and prompts", () => {
  it("lists resources and templates and routes reads by URI", async () => {
    const s = await session({ principal: mallory });
    const { resources } = await s.client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(["file:///sandbox/notes.txt"]);
    const { resourceTemplates } = await s.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(["file:///sandbox/{name}"]);
    const read = await s.client.readResource({ uri: "file:///sandbox/notes.txt" });
    expect(read.contents[0]).toMatchObject({ text: "remember the milk" });
    const templated = await s.client.readResource({ uri: "file:///sandbox/other.txt" });
    expect(templated.contents[0]?.uri).toBe("file:///sandbox/other.txt");
    const missing = await failure(s.client.readResource({ uri: "demo://nowhere" }));
    expect(missing.code).toBe(-32002);
  });

  it("namespaces prompts and gets them from their server", async () => {
    const s = await session({ principal: mallory });
    const { prompts } = await s.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(["everything__greet"]);
    const prompt = await s.client.getPrompt({
      name: "everything__greet",
      arguments: { name: "Bob" },
    });
    expect(prompt.messages[0]?.content).toEqual({ type: "text", text: "Hello Bob" });
    const unknown = await failure(s.client.getPrompt({ name: "everything__nope" }));
    expect(unknown.code).toBe(-32602);
  });

  it("relays resources/updated to the sessions subscribed to the URI only", async () => {
    const updates: string[] = [];
    const listen = (client: Connected["client"]) =>
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
        updates.push(n.params.uri);
      });
    const subscriber = await session({ principal: mallory, setup: listen });
    const bystander = await session({ principal: mallory, setup: listen });
    expect(bystander.sessionId).not.toBe(subscriber.sessionId);
    await subscriber.client.subscribeResource({ uri: "file:///sandbox/notes.txt" });
    const upstream = pool.connection("filesystem");
    expect(upstream.seen.at(-1)).toEqual({
      method: "resources/subscribe",
      params: { uri: "file:///sandbox/notes.txt" },
    });
    await filesystemUpstream.server.sendResourceUpdated({ uri: "file:///sandbox/notes.txt" });
    for (let i = 0; i < 100 && updates.length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(updates).toEqual(["file:///sandbox/notes.txt"]);
    await subscriber.client.unsubscribeResource({ uri: "file:///sandbox/notes.txt" });
    expect(upstream.seen.at(-1)?.method).toBe("resources/unsubscribe");
  });

  it("keeps logging/setLevel for a shared upstream in the gateway: each session gets its own levels", async () => {
    const everything = everythingServer();
    const own = await memoryPool({ everything: everything.server });
    const received = new Map<string, string[]>();
    const listen = (name: string) => (client: Connected["client"]) =>
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        received.set(name, [...(received.get(name) ?? []), `${n.params.level} ${n.params.data}`]);
      });
    const quiet = await connect({ pool: own, policy, principal: alice, setup: listen("quiet") });
    const chatty = await connect({ pool: own, policy, principal: alice, setup: listen("chatty") });
    try {
      // both sessions are on the upstream's one connection once they used it
      await quiet.client.listTools();
      await chatty.client.listTools();
      await quiet.client.setLoggingLevel("error");
      expect(own.connection("everything").seen.map((r) => r.method)).not.toContain(
        "logging/setLevel",
      );
      // log messages tied to no request: the connection's sessions, each at its own level
      await everything.server.sendLoggingMessage({ level: "info", data: "routine" });
      await everything.server.sendLoggingMessage({ level: "error", data: "broken" });
      for (let i = 0; i < 100 && (received.get("chatty")?.length ?? 0) < 2; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(received.get("chatty")).toEqual(["info routine", "error broken"]);
      expect(received.get("quiet")).toEqual(["error broken"]);
    } finally {
      await quiet.close();
      await chatty.close();
      await own.close();
    }
  });
});

describe("session lifecycle", () => {
  it("leaves the registry when the session closes", async () => {
    const s = await connect({ pool, policy, principal: alice });
    expect(registryFor(pool).get(s.sessionId)).toBeDefined();
    await s.close();
    expect(registryFor(pool).get(s.sessionId)).toBeUndefined();
  });

  it("refuses roots/list from an upstream when no client request caused it", async () => {
    await expect(
      registryFor(pool).onRequest(
        "everything",
        { method: "roots/list" },
        undefined,
        new AbortController().signal,
      ),
    ).rejects.toThrow(/not related to a client request in progress/);
  });
});

describe("list_changed", () => {
  it("passes an upstream's tools/list_changed on to the sessions that see it", async () => {
    const everything = everythingServer();
    const own = await memoryPool({ everything: everything.server });
    const catalog = loadCatalog(CATALOG_DIR);
    const s = await connect({ pool: own, policy, principal: alice, catalog });
    try {
      expect(await allToolNames(s)).not.toContain("everything__fresh");
      const changed = new Promise<void>((resolve) =>
        s.client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()),
      );
      everything.server.registerTool("fresh", {}, async () => ({ content: [] }));
      await changed;
      expect(await allToolNames(s)).toContain("everything__fresh");
    } finally {
      await s.close();
      await own.close();
    }
  });
});
