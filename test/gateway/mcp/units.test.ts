// Small parts of the session server: rate limiting, cursors, names, URI templates, what a client
// is told of a failed evaluation.
import { describe, expect, it } from "vitest";
import { clientReason } from "../../../gateway/mcp/enforce.ts";
import { splitNamespaced } from "../../../gateway/mcp/names.ts";
import { paginate } from "../../../gateway/mcp/pagination.ts";
import { InMemoryTokenBuckets, RateLimiter, windowMs } from "../../../gateway/mcp/rate-limit.ts";
import { PrincipalRequestRate } from "../../../gateway/mcp/request-rate.ts";
import { matchesTemplate } from "../../../gateway/mcp/uri-template.ts";

describe("rate limiter", () => {
  it("reads windows", () => {
    expect(windowMs("1m")).toBe(60_000);
    expect(windowMs("30s")).toBe(30_000);
    expect(windowMs("h")).toBe(3_600_000);
    expect(windowMs("minute")).toBe(60_000);
    expect(windowMs("soon")).toBeUndefined();
  });

  it("allows `requests` per window per key and refills over time", async () => {
    let now = 0;
    const limiter = new RateLimiter(new InMemoryTokenBuckets(() => now));
    const limit = { requests: 2, per: "1m" };
    expect(await limiter.take("alice/fetch", limit)).toBe(true);
    expect(await limiter.take("alice/fetch", limit)).toBe(true);
    expect(await limiter.take("alice/fetch", limit)).toBe(false);
    expect(await limiter.take("bob/fetch", limit)).toBe(true);
    now = 30_000;
    expect(await limiter.take("alice/fetch", limit)).toBe(true);
    expect(await limiter.take("alice/fetch", limit)).toBe(false);
  });

  it("refuses when the window cannot be read", async () => {
    expect(await new RateLimiter().take("k", { requests: 5, per: "fortnight" })).toBe(false);
  });
});

describe("per-principal request rate", () => {
  it("serves the burst, then refuses with the wait until a token is back, per issuer and subject", async () => {
    let now = 0;
    const clock = () => now;
    const rate = new PrincipalRequestRate(
      { requestsPerSecond: 2, requestBurst: 3 },
      new InMemoryTokenBuckets(clock),
      clock,
    );
    const alice = { sub: "alice", iss: "https://idp-a", auth: "jwt" as const };
    for (let i = 0; i < 3; i++) expect(await rate.check(alice)).toBeUndefined();
    const refused = await rate.check(alice);
    expect(refused).toMatchObject({ retryAfterSeconds: 1, log: true });
    expect(refused!.message).toMatch(/^Too Many Requests: more than 2 requests per second/);
    // the same subject of another issuer, and alice's API key identity, have budgets of their own
    expect(await rate.check({ ...alice, iss: "https://idp-b" })).toBeUndefined();
    expect(await rate.check({ sub: "alice", auth: "api_key" })).toBeUndefined();
    // a second refusal within 10 s is not logged again
    expect((await rate.check(alice))!.log).toBe(false);
    now = 500;
    expect(await rate.check(alice)).toBeUndefined();
  });
});

describe("what a client is told of a failed evaluation", () => {
  it("keeps what failed, drops source locations, file paths and stack lines, and bounds it", () => {
    expect(
      clientReason(
        "policy evaluation failed: /srv/policies/gatehouse/decision.rego:14:3: eval_conflict_error: complete rules must not produce multiple outputs",
      ),
    ).toBe(
      "policy evaluation failed: eval_conflict_error: complete rules must not produce multiple outputs",
    );
    expect(
      clientReason("policy evaluation failed: policies/x.rego:9: eval_builtin_error: boom"),
    ).toBe("policy evaluation failed: eval_builtin_error: boom");
    expect(
      clientReason(
        "no decision could be made: cannot read /etc/gatehouse/bundle/data.json\n    at f (/app/x.ts:1:2)",
      ),
    ).toBe("no decision could be made: cannot read <file>");
    expect(clientReason("input rejected: open /var/lib/gatehouse/state failed")).toBe(
      "input rejected: open <path> failed",
    );
    expect(clientReason("x".repeat(1000))).toHaveLength(301);
  });
});

describe("pagination", () => {
  const items = Array.from({ length: 5 }, (_, i) => `t${i}`);
  it("pages with an opaque cursor and refuses it once the list changed", () => {
    const first = paginate(items, items, undefined, 2);
    expect(first.page).toEqual(["t0", "t1"]);
    const second = paginate(items, items, first.nextCursor, 2);
    expect(second.page).toEqual(["t2", "t3"]);
    const last = paginate(items, items, second.nextCursor, 2);
    expect(last).toEqual({ page: ["t4"] });
    const changed = ["t0", "t1", "t9", "t3", "t4"];
    expect(() => paginate(changed, changed, first.nextCursor, 2)).toThrow(/stale cursor/);
  });
});

describe("names", () => {
  it("splits at the first separator", () => {
    expect(splitNamespaced("fs__read__file", "__")).toEqual({ server: "fs", name: "read__file" });
    expect(splitNamespaced("__x", "__")).toBeUndefined();
    expect(splitNamespaced("fs__", "__")).toBeUndefined();
    expect(splitNamespaced("plain", "__")).toBeUndefined();
  });
});

describe("URI templates", () => {
  it("matches simple, reserved and query expansions", () => {
    expect(matchesTemplate("file:///sandbox/{name}", "file:///sandbox/a.txt")).toBe(true);
    expect(matchesTemplate("file:///sandbox/{name}", "file:///sandbox/a/b.txt")).toBe(false);
    expect(matchesTemplate("file:///{+path}", "file:///a/b.txt")).toBe(true);
    expect(matchesTemplate("demo://r/{id}{?page}", "demo://r/7?page=2")).toBe(true);
    expect(matchesTemplate("demo://r/{id}", "other://r/7")).toBe(false);
  });
});
