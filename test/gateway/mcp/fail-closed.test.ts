// Decisions that fail (an evaluation error, an undefined decision) deny; visible_tools alone
// decides what a list shows.
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyEngine } from "../../../gateway/policy/index.ts";
import { alice, connect, type Connected } from "./harness.ts";
import { memoryPool } from "./memory-pool.ts";
import { everythingServer, filesystemServer } from "./upstreams.ts";

const BROKEN_POLICY = fileURLToPath(new URL("./fixtures/policy-broken", import.meta.url));

let policy: PolicyEngine;
let pool: Awaited<ReturnType<typeof memoryPool>>;
const open: Connected[] = [];

beforeAll(async () => {
  policy = await PolicyEngine.fromDirectories([BROKEN_POLICY]);
  pool = await memoryPool({
    everything: everythingServer().server,
    filesystem: filesystemServer(),
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await pool?.close();
});

describe("fail closed", () => {
  it("shows exactly the tools the decision names", async () => {
    const s = await connect({ pool, policy, principal: alice });
    open.push(s);
    const { tools } = await s.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["everything__echo"]);
    // the policy names no prompt or resource: nothing is shown
    expect((await s.client.listPrompts()).prompts).toEqual([]);
    expect((await s.client.listResources()).resources).toEqual([]);
  });

  it("denies a call whose evaluation fails, and forwards nothing", async () => {
    const s = await connect({ pool, policy, principal: alice });
    open.push(s);
    const before = pool.connection("everything").seen.length;
    const error = await s.client
      .callTool({ name: "everything__echo", arguments: { message: "x" } })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32003);
    expect((error as McpError).message).toMatch(
      /denied by policy: policy evaluation failed: .*divi/i,
    );
    expect(pool.connection("everything").seen.length).toBe(before);
  });

  it("denies initialize when the decision is undefined", async () => {
    const error = await connect({ pool, policy, principal: { sub: "nobody", auth: "dev" } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32003);
    expect((error as McpError).message).toContain("policy decision is undefined");
  });

  it("denies every request when no policy can be had", async () => {
    const error = await connect({
      pool,
      policy: {
        decide: () => {
          throw new Error("no active bundle");
        },
      } as unknown as PolicyEngine,
      principal: alice,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as McpError).code).toBe(-32003);
    expect((error as McpError).message).toContain("no decision could be made: no active bundle");
  });
});
