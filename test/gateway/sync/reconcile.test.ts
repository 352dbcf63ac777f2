// The upstream pool applying a new catalog (real stdio upstreams): new servers connect, removed
// ones finish the request in flight and then stop, changed ones are replaced, unchanged ones keep
// their connection.
import { afterEach, describe, expect, it } from "vitest";
import type { ConnectionScope, UpstreamPool } from "../../../gateway/mcp/contracts.ts";
import { createUpstreamPool } from "../../../gateway/mcp/upstream/index.ts";
import {
  catalogOf,
  recordingLogger,
  scriptedServer,
  stdio,
  textOf,
  waitFor,
} from "../upstream/helpers.ts";

let pool: UpstreamPool | undefined;

afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

const allReady = (p: UpstreamPool) => () => p.status().every((s) => s.state === "ready");
/** one principal's connections (stdio servers are principal-scoped) */
const scope: ConnectionScope = { sessionId: "s1", principalKey: "tenant" };

describe("UpstreamPool.reconcile", () => {
  it("connects new servers, drains removed ones, replaces changed ones, keeps the rest", async () => {
    pool = createUpstreamPool(
      catalogOf({
        kept: stdio([scriptedServer]),
        changed: stdio([scriptedServer]),
        removed: stdio([scriptedServer]),
      }),
      { logger: recordingLogger() },
    );
    await waitFor("upstreams ready", allReady(pool), 30_000);
    const kept = pool.connection("kept", scope)!;
    const changed = pool.connection("changed", scope)!;
    const removed = pool.connection("removed", scope)!;

    // a call on the removed server that is still in flight while the catalog changes: its
    // sampling request is answered only after reconcile() returned
    let reconciled!: () => void;
    const afterReconcile = new Promise<void>((resolve) => (reconciled = resolve));
    pool.setClientHandlers({
      async onRequest() {
        await afterReconcile;
        return { role: "assistant", content: { type: "text", text: "drained" }, model: "m" };
      },
      onNotification() {},
    });
    const inFlight = removed.request(
      { method: "tools/call", params: { name: "sample", arguments: {} } },
      { caller: { sessionId: "s1", requestId: 1 } },
    );

    const changes = pool.reconcile!(
      catalogOf({
        kept: stdio([scriptedServer]),
        changed: stdio([scriptedServer], { CHANGED: "1" }),
        added: stdio([scriptedServer]),
      }),
    );
    reconciled();
    expect(changes).toMatchObject({ added: ["added"], removed: ["removed"], changed: ["changed"] });
    expect(pool.names().sort()).toEqual(["added", "changed", "kept"]);
    expect(pool.connection("kept", scope)).toBe(kept);
    expect(pool.connection("changed", scope)).not.toBe(changed);
    expect(pool.connection("removed", scope)).toBeUndefined();

    // the removed server answered the call it had, then stopped
    expect(textOf(await inFlight)).toBe("sampled: drained");
    await changes.drained;
    expect(removed.state()).toBe("closed");
    expect(changed.state()).toBe("closed");
    expect(kept.state()).toBe("ready");

    await waitFor("new upstreams ready", allReady(pool), 30_000);
    const env = await pool
      .connection("changed", scope)!
      .request(
        { method: "tools/call", params: { name: "env", arguments: {} } },
        { caller: { sessionId: "s1", requestId: 2 } },
      );
    expect(JSON.parse(textOf(env)).CHANGED).toBe("1");
    expect(pool.status().find((s) => s.name === "kept")?.restarts).toBe(0);
  });
});
