// What a client reads when a call is denied: the policy author's reason first (a denied tool's own
// reason before the generic "no role allows this"), and, on a virtual server, the tool under the
// name the client called. The repository's default policy, with one more denied tool, and the
// test catalog with a virtual server that renames filesystem's write_file.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../../../gateway/catalog/index.ts";
import { PolicyEngine } from "../../../gateway/policy/index.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";
import { alice, CATALOG_DIR, connect, mallory, POLICY_DIR, type Connected } from "./harness.ts";
import { memoryPool } from "./memory-pool.ts";
import { everythingServer, filesystemServer } from "./upstreams.ts";

const temp = useTempDir("gatehouse-denial-reasons");
let pool: Awaited<ReturnType<typeof memoryPool>>;
const open: Connected[] = [];

beforeAll(async () => {
  pool = await memoryPool({
    everything: everythingServer().server,
    filesystem: filesystemServer(),
    memory: undefined,
    github: undefined,
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await pool?.close();
});

/** The default policy with filesystem's write_file denied for a reason of its author's. */
async function policyFreezingWrites(): Promise<PolicyEngine> {
  const dir = join(temp.path, "policies");
  cpSync(POLICY_DIR, dir, { recursive: true });
  const dataFile = join(dir, "access", "data.yaml");
  const data = parse(readFileSync(dataFile, "utf8")) as { denied_tools: unknown[] };
  data.denied_tools.push({
    server: "filesystem",
    tool: "write_file",
    reason: "file writes are frozen during the audit",
  });
  writeFileSync(dataFile, stringify(data));
  return PolicyEngine.fromDirectories([dir]);
}

/** The test catalog plus a virtual server `notes` where write_file is called write_note. */
function catalogWithNotes() {
  const dir = join(temp.path, "catalog");
  cpSync(CATALOG_DIR, dir, { recursive: true });
  writeFileSync(
    join(dir, "virtual", "notes.yaml"),
    "name: notes\ntools:\n  - server: filesystem\n    tool: write_file\n    rename: write_note\n",
  );
  return loadCatalog(dir);
}

async function denial(promise: Promise<unknown>): Promise<McpError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof McpError) return e;
    throw e;
  }
  throw new Error("expected the call to be denied");
}

describe("the reason a denied client reads", () => {
  it("is the denied tool's own reason, before the role denial that also holds", async () => {
    const policy = await policyFreezingWrites();
    const session = await connect({ pool, policy, principal: mallory });
    open.push(session);
    const args = { path: "/sandbox/notes.txt", content: "x" };
    const error = await denial(
      session.client.callTool({ name: "filesystem__write_file", arguments: args }),
    );
    // alphabetically the role denial ("mallory may not call ...") would come first
    expect(error.message).toMatch(
      /^MCP error -32003: denied by policy: write_file is not allowed on server filesystem: file writes are frozen during the audit \(decision [0-9a-f-]{36}\)$/,
    );
    expect((error.data as { reasons: string[] }).reasons).toEqual([
      "write_file is not allowed on server filesystem: file writes are frozen during the audit",
      "mallory may not call write_file on server filesystem (risk write)",
    ]);
  });

  it("names the tool as the client called it on a virtual server", async () => {
    const policy = await PolicyEngine.fromDirectories([POLICY_DIR]);
    const catalog = catalogWithNotes();
    const notes = await connect({
      pool,
      policy,
      catalog,
      principal: mallory,
      view: { kind: "virtual", name: "notes" },
    });
    open.push(notes);
    const args = { path: "/sandbox/notes.txt", content: "x" };
    const error = await denial(notes.client.callTool({ name: "write_note", arguments: args }));
    expect(error.message).toMatch(
      /^MCP error -32003: denied by policy: mallory may not call write_note on server notes \(risk write\) /,
    );
    // on /mcp the upstream's own names, as before
    const all = await connect({ pool, policy, catalog, principal: mallory });
    open.push(all);
    const direct = await denial(
      all.client.callTool({ name: "filesystem__write_file", arguments: args }),
    );
    expect(direct.message).toMatch(
      /^MCP error -32003: denied by policy: mallory may not call write_file on server filesystem \(risk write\) /,
    );
    // and alice (a developer) may write under either name
    const alicesNotes = await connect({
      pool,
      policy,
      catalog,
      principal: alice,
      view: { kind: "virtual", name: "notes" },
    });
    open.push(alicesNotes);
    await expect(
      alicesNotes.client.callTool({ name: "write_note", arguments: args }),
    ).resolves.toMatchObject({ content: expect.any(Array) });
  });
});
