// 2026-07-28 requests have no session, so the session caps do not bound them: a principal may have
// only limits.maxStatelessInFlightPerPrincipal of them in flight (429 past it), and the upstream
// connections they share on a session-isolated server close once idle instead of piling up.
import { describe, expect, it } from "vitest";
import { waitFor } from "../gateway/upstream/helpers.ts";
import { useModernGateway } from "../gateway/e2e/modern-gateway.ts";
import { messagesOf } from "../helpers/modern-request.ts";

const modern = useModernGateway({
  limits: { maxStatelessInFlightPerPrincipal: 2 },
  idleTimeoutSeconds: 1,
});
const waitCall = { method: "tools/call", params: { name: "scripted__wait", arguments: {} } };

const echo = { method: "tools/call", params: { name: "scripted__echo", arguments: { text: "x" } } };

/** Sends `echo` until `status` comes back (or the deadline passes); the last response's body. */
async function untilStatus(status: number, timeoutMs = 30_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await modern.post(echo);
    const [body] = await messagesOf(response);
    if (response.status === status) return body!;
    if (Date.now() > deadline) throw new Error(`no ${status} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("stateless requests are bounded per principal", () => {
  it("past the in-flight bound a request gets 429; once calls end, requests are served again", async () => {
    const aborter = new AbortController();
    // two calls that wait upstream for 30 s hold both places
    const waiting = [modern.post(waitCall, aborter.signal), modern.post(waitCall, aborter.signal)];
    const refused = await untilStatus(429);
    expect(refused.error.message).toContain("limit 2");
    // closing the response streams cancels the calls (this revision's cancellation)
    aborter.abort();
    await Promise.allSettled(waiting);
    expect((await untilStatus(200)).result.resultType).toBe("complete");
  });

  it("the principal's shared connection to a session-isolated server closes once idle", async () => {
    const { body } = await modern.answerOf(echo);
    expect(body.result.resultType).toBe("complete");
    expect(modern.gateway.pool.status()[0]!.connections.open).toBe(1);
    await waitFor(
      "the idle connection closed",
      () => modern.gateway.pool.status()[0]!.connections.open === 0,
      30_000,
    );
  });
});
