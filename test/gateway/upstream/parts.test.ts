// The pool's small parts on their own: backoff, the stderr line sink, the limiter, attribution.
import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../../gateway/mcp/upstream/backoff.ts";
import { CallerTracker } from "../../../gateway/mcp/upstream/callers.ts";
import { ConcurrencyLimiter, LimiterFullError } from "../../../gateway/mcp/upstream/limiter.ts";
import { createLineSink } from "../../../gateway/mcp/upstream/lines.ts";
import { stdioEnvironment } from "../../../gateway/mcp/upstream/transports.ts";

describe("backoffDelay", () => {
  const options = { initialMs: 500, maxMs: 30_000 };
  it("doubles from the initial delay up to the cap, jittered between half and all of it", () => {
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, options, () => 1))).toEqual([
      500, 1000, 2000, 4000,
    ]);
    expect(backoffDelay(0, options, () => 0)).toBe(250);
    expect(backoffDelay(20, options, () => 1)).toBe(30_000);
    expect(backoffDelay(1000, options, () => 0)).toBe(15_000);
  });
});

describe("createLineSink", () => {
  it("splits chunks into lines, caps their length, and suppresses lines beyond the window's budget", () => {
    const lines: string[] = [];
    let now = 0;
    const sink = createLineSink(
      (l) => lines.push(l),
      { maxLineLength: 5, maxLines: 2, windowMs: 1000 },
      () => now,
    );
    sink.write("ab");
    sink.write("c\r\nabcdefgh\nthird\n");
    expect(lines).toEqual(["abc", "abcde…"]);
    now = 1000;
    sink.write("fourth");
    sink.flush();
    expect(lines).toEqual(["abc", "abcde…", "(1 lines suppressed)", "fourt…"]);
  });
});

describe("ConcurrencyLimiter", () => {
  it("queues beyond the limit, refuses beyond the queue, and drops a waiter whose signal aborts", async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    const release = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    await expect(limiter.acquire()).rejects.toBeInstanceOf(LimiterFullError);
    controller.abort();
    await expect(waiting).rejects.toBeDefined();
    const next = limiter.acquire();
    release();
    const releaseNext = await next;
    releaseNext();
    releaseNext(); // twice is harmless
    (await limiter.acquire())();
  });
});

describe("CallerTracker", () => {
  const a = { sessionId: "a", requestId: 1 };
  const b = { sessionId: "b", requestId: 2 };
  it("names the caller by progressToken, then related task, then the most recent one", () => {
    const tracker = new CallerTracker();
    expect(tracker.attribute(undefined)).toBeUndefined();
    const endA = tracker.begin(a, 10);
    const endB = tracker.begin(b, 11);
    expect(tracker.attribute({})).toEqual(b);
    expect(tracker.attribute({ _meta: { progressToken: 10 } })).toEqual(a);
    tracker.rememberTask("task-1", a);
    expect(
      tracker.attribute({
        _meta: { "io.modelcontextprotocol/related-task": { taskId: "task-1" } },
      }),
    ).toEqual(a);
    endB();
    expect(tracker.attribute({})).toEqual(a);
    endA();
    expect(tracker.attribute({})).toBeUndefined();
  });
});

describe("stdioEnvironment", () => {
  it("is the catalog's variables plus PATH, and blanks what the SDK would otherwise inherit", () => {
    const env = stdioEnvironment({ TOKEN: "t" }, { PATH: "/bin", HOME: "/root", SECRET: "x" });
    expect(Object.entries(env).filter(([, v]) => v !== undefined)).toEqual([
      ["PATH", "/bin"],
      ["TOKEN", "t"],
    ]);
    expect("HOME" in env && env.HOME === undefined).toBe(true);
    expect(stdioEnvironment({ PATH: "/opt/bin" }, { PATH: "/bin" }).PATH).toBe("/opt/bin");
  });
});
