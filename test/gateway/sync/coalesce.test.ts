// The single-flight used for fetches: requests during a run fold into exactly one more run.
import { describe, expect, it } from "vitest";
import { Coalescer } from "../../../gateway/sync/coalesce.ts";

describe("Coalescer", () => {
  it("runs once, then once more for any number of requests made during the run", async () => {
    let runs = 0;
    let release!: () => void;
    const coalescer = new Coalescer(async () => {
      runs++;
      if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const first = coalescer.request();
    const during = Array.from({ length: 100 }, () => coalescer.request());
    expect(runs).toBe(1);
    release();
    await Promise.all([first, ...during]);
    expect(runs).toBe(2);
    await coalescer.request();
    expect(runs).toBe(3);
  });

  it("keeps going after a failed run", async () => {
    let runs = 0;
    const coalescer = new Coalescer(async () => {
      runs++;
      if (runs === 1) throw new Error("boom");
    });
    await expect(coalescer.request()).rejects.toThrow("boom");
    await coalescer.request();
    expect(runs).toBe(2);
  });
});
