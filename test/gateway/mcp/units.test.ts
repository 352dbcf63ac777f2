// Small parts of the session server: rate limiting, cursors, names, URI templates.
import { describe, expect, it } from "vitest";
import { splitNamespaced } from "../../../gateway/mcp/names.ts";
import { paginate } from "../../../gateway/mcp/pagination.ts";
import { RateLimiter, windowMs } from "../../../gateway/mcp/rate-limit.ts";
import { matchesTemplate } from "../../../gateway/mcp/uri-template.ts";

describe("rate limiter", () => {
  it("reads windows", () => {
    expect(windowMs("1m")).toBe(60_000);
    expect(windowMs("30s")).toBe(30_000);
    expect(windowMs("h")).toBe(3_600_000);
    expect(windowMs("minute")).toBe(60_000);
    expect(windowMs("soon")).toBeUndefined();
  });

  it("allows `requests` per window per key and refills over time", () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const limit = { requests: 2, per: "1m" };
    expect(limiter.take("alice/fetch", limit)).toBe(true);
    expect(limiter.take("alice/fetch", limit)).toBe(true);
    expect(limiter.take("alice/fetch", limit)).toBe(false);
    expect(limiter.take("bob/fetch", limit)).toBe(true);
    now = 30_000;
    expect(limiter.take("alice/fetch", limit)).toBe(true);
    expect(limiter.take("alice/fetch", limit)).toBe(false);
  });

  it("refuses when the window cannot be read", () => {
    expect(new RateLimiter().take("k", { requests: 5, per: "fortnight" })).toBe(false);
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
