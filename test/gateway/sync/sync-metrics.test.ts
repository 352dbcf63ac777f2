// The sync gauges at /metrics: `gatehouse_sync_last_success` moves when a revision is activated (or
// a fetch finds nothing new), never when a commit that is then refused was fetched.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../gateway/config.ts";
import { silentLogger } from "../../../gateway/log.ts";
import { startGateway, type RunningGateway } from "../../../gateway/sync/index.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";
import { FAILING_TEST, TestRepo, writeGoodLayout } from "./helpers.ts";

const temp = useTempDir("gatehouse-sync-metrics");
let running: RunningGateway | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** The value of a gauge in Prometheus text (the first series). */
async function gauge(gateway: RunningGateway, name: string): Promise<number | undefined> {
  const text = await gateway.gateway.telemetry.metricsText();
  if (text === null) throw new Error("the gateway serves no Prometheus metrics");
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("sync gauges", () => {
  it("keep gatehouse_sync_last_success still while a refused commit is fetched and refused", async () => {
    const repo = new TestRepo(temp.path);
    writeGoodLayout(repo);
    repo.commit("good");
    const config = loadConfig({
      flags: {
        port: 0,
        dev: true,
        dataDir: join(temp.path, "data"),
        sync: { repo: repo.remote, branch: "main", poll: "1h" },
      },
    });
    running = await startGateway(config, { log: silentLogger });
    const sync = running.sync!;
    await sync.trigger("manual"); // nothing new: a success
    const success = await gauge(running, "gatehouse_sync_last_success");
    expect(success).toBeGreaterThan(0);
    expect(await gauge(running, "gatehouse_sync_healthy")).toBe(1);

    repo.write("policies/gatehouse/failing_test.rego", FAILING_TEST);
    const refused = repo.commit("a failing test");
    await new Promise((resolve) => setTimeout(resolve, 20)); // a later success would differ
    await sync.trigger("manual");
    expect(sync.status().lastAttempt).toMatchObject({ revision: refused, outcome: "refused" });
    expect(await gauge(running, "gatehouse_sync_healthy")).toBe(0);
    expect(await gauge(running, "gatehouse_sync_last_success")).toBe(success);

    // polling the refused head again changes nothing either
    await sync.trigger("manual");
    expect(await gauge(running, "gatehouse_sync_last_success")).toBe(success);
  });
});
