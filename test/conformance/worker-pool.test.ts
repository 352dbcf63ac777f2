import { afterEach, describe, expect, it } from "vitest";
import type { ConformanceCase } from "./cases.ts";
import { CaseWorkerPool } from "./worker-pool.ts";

const fixture = new URL("./fixtures/misbehaving-worker.ts", import.meta.url);
const kase = (query: string): ConformanceCase => ({
  id: query,
  note: query,
  file: "f.yaml",
  topic: "t",
  query,
});

describe("CaseWorkerPool", () => {
  let pool: CaseWorkerPool | undefined;
  afterEach(async () => {
    await pool?.close();
  });

  it("fails a hung case after the CPU time limit and keeps running the others", async () => {
    pool = new CaseWorkerPool(2, 300, fixture);
    const outcomes = await Promise.all(["ok", "hang", "ok", "ok"].map((q) => pool!.run(kase(q))));
    expect(outcomes.map((o) => o.status)).toEqual(["pass", "fail", "pass", "pass"]);
    expect(outcomes[1]!.reason).toBe("timed out after 300 ms of CPU time");
  });

  it("fails a case whose worker exits or throws, then respawns the worker", async () => {
    pool = new CaseWorkerPool(1, 5000, fixture);
    const outcomes = [];
    for (const q of ["exit", "ok", "throw", "ok"]) outcomes.push(await pool.run(kase(q)));
    expect(outcomes.map((o) => o.status)).toEqual(["fail", "pass", "fail", "pass"]);
    expect(outcomes[0]!.reason).toBe("worker exited with code 3");
    expect(outcomes[2]!.reason).toBe("worker crashed: boom");
  });
});
