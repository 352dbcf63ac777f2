// The quick start: no sync.repo. Folders inside a git repository are served as found, and a later
// local commit is picked up through the same pipeline; folders outside one are served as today.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig, type ConfigLayer } from "../../../gateway/config.ts";
import { silentLogger } from "../../../gateway/log.ts";
import { startGateway, type RunningGateway, type SyncEvent } from "../../../gateway/sync/index.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";
import { git, policyRego, POLICY_TEST, serverYaml } from "./helpers.ts";

const temp = useTempDir("gatehouse-local-sync");
let running: RunningGateway | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

function writeFolders(root: string): void {
  temp.put("work/catalog/servers/scripted.yaml", serverYaml("scripted"));
  temp.put("work/policies/gatehouse/decision.rego", policyRego([]));
  temp.put("work/policies/gatehouse/decision_test.rego", POLICY_TEST);
  void root;
}

async function start(flags: ConfigLayer = {}): Promise<RunningGateway> {
  const work = join(temp.path, "work");
  const config = loadConfig({
    flags: {
      port: 0,
      dev: true,
      dataDir: join(temp.path, "data"),
      catalogDir: join(work, "catalog"),
      policyDirs: [join(work, "policies")],
      ...flags,
      sync: { poll: "1h", ...flags.sync },
    },
  });
  running = await startGateway(config, { log: silentLogger });
  return running;
}

describe("following the served folders' own repository", () => {
  it("serves the folders as found, ignores uncommitted edits, activates a new local commit", async () => {
    const work = join(temp.path, "work");
    writeFolders(work);
    git(temp.path, "init", "--quiet", "--initial-branch=main", work);
    git(work, "add", "--all");
    git(work, "commit", "--quiet", "-m", "first");

    const gateway = await start();
    const sync = gateway.sync!;
    expect(sync.status().source.mode).toBe("local");
    const servedAtStart = gateway.gateway.current().policy.revision;
    expect(servedAtStart).toMatch(/^sha256:/); // the folders, compiled as today
    const seen: SyncEvent[] = [];
    sync.onSyncEvent((e) => seen.push(e));
    await sync.trigger("manual");
    expect(sync.status().active?.from).toBe("folders"); // the head is what is already served

    temp.put("work/policies/gatehouse/decision.rego", policyRego(["echo"]));
    await sync.trigger("manual");
    expect(gateway.gateway.current().policy.revision).toBe(servedAtStart);

    temp.put("work/catalog/servers/second.yaml", serverYaml("second"));
    git(work, "add", "--all");
    git(work, "commit", "--quiet", "-m", "block echo, add a server");
    const head = git(work, "rev-parse", "HEAD");
    await sync.trigger("manual");
    expect(gateway.gateway.current().policy.revision).toBe(head);
    const activated = seen.find((e) => e.type === "activated");
    expect(activated).toMatchObject({
      revision: head,
      previousRevision: servedAtStart,
      upstreams: { added: ["second"], removed: [], changed: [] },
    });
    expect(gateway.gateway.pool.names().sort()).toEqual(["scripted", "second"]);
  });

  it("serves folders outside any repository as today, and sync.enabled: false turns it off", async () => {
    writeFolders(join(temp.path, "work"));
    const outside = await start();
    expect(outside.sync).toBeUndefined();
    expect(outside.gateway.current().policy.revision).toMatch(/^sha256:/);
    await outside.close();

    git(temp.path, "init", "--quiet", "--initial-branch=main", join(temp.path, "work"));
    running = undefined;
    const off = await start({ sync: { enabled: false } });
    expect(off.sync).toBeUndefined();
    const status = await fetch(off.gateway.url.replace(/\/mcp$/, "/-/status"));
    expect(await status.json()).toMatchObject({ sync: { enabled: false } });
  });
});
