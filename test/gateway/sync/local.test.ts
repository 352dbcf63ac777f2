// The quick start: no sync.repo. Folders inside a git repository are served as found, under the
// commit they hold (`<sha>+dirty` when they differ from it), and a later local commit is seen at
// once (the repository's refs are watched) and goes through the same pipeline; folders outside
// one are served as today.
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig, type ConfigLayer } from "../../../gateway/config.ts";
import { silentLogger } from "../../../gateway/log.ts";
import { startGateway, type RunningGateway, type SyncEvent } from "../../../gateway/sync/index.ts";
import { gatehouse } from "../audit/cli-run.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";
import { connectClient, git, outcome, policyRego, POLICY_TEST, serverYaml } from "./helpers.ts";

const temp = useTempDir("gatehouse-local-sync");
let running: RunningGateway | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.close();
  await running?.close();
  client = undefined;
  running = undefined;
});

/** A repository at work/ with the folders committed once; returns the commit. */
function committedFolders(branch = "main"): string {
  const work = join(temp.path, "work");
  writeFolders(work);
  git(temp.path, "init", "--quiet", `--initial-branch=${branch}`, work);
  git(work, "add", "--all");
  git(work, "commit", "--quiet", "-m", "first");
  return git(work, "rev-parse", "HEAD");
}

/** Waits (bounded) until `check` holds; the sync's poll is an hour, so only the watch can help. */
async function eventually(check: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${limitMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

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
    const first = committedFolders();

    const gateway = await start();
    const sync = gateway.sync!;
    expect(sync.status().source.mode).toBe("local");
    const servedAtStart = gateway.gateway.current().policy.revision;
    expect(servedAtStart).toBe(first); // the folders hold exactly that commit
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

  it("tags decisions at start with the commit, so audit query --revision <sha> finds them", async () => {
    const first = committedFolders();
    const gateway = await start();
    client = await connectClient(gateway.gateway.url);
    expect(await outcome(client, "scripted__echo")).toBe("ok echo: hi");
    await client.close();
    client = undefined;
    await gateway.close(); // the records are flushed
    running = undefined;

    const store = join(temp.path, "data", "audit.db");
    const found = await gatehouse("audit", "query", "--store", store, "--revision", first);
    expect(found.code).toBe(0);
    const records = JSON.parse(
      (await gatehouse("audit", "query", "--store", store, "--revision", first, "--format", "json"))
        .out,
    ) as { revision: string; tool: string | null }[];
    expect(records.map((r) => [r.revision, r.tool])).toContainEqual([first, "echo"]);
  });

  it("serves edited, added or ignored files under <sha>+dirty, never under the commit", async () => {
    const first = committedFolders();
    const work = join(temp.path, "work");
    temp.put("work/policies/gatehouse/decision.rego", policyRego(["echo"])); // edited
    let gateway = await start();
    expect(gateway.gateway.current().policy.revision).toBe(`${first}+dirty`);
    client = await connectClient(gateway.gateway.url);
    expect(await outcome(client, "scripted__echo")).toMatch(/at revision [0-9a-f]{40}\+dirty/);
    await client.close();
    client = undefined;
    await gateway.close();

    git(work, "checkout", "--quiet", "--", "policies");
    temp.put("work/.gitignore", "local.rego\n");
    git(work, "add", ".gitignore");
    git(work, "commit", "--quiet", "-m", "ignore local.rego");
    const second = git(work, "rev-parse", "HEAD");
    gateway = await start();
    expect(gateway.gateway.current().policy.revision).toBe(second); // clean again
    await gateway.close();

    temp.put("work/policies/gatehouse/local.rego", "package gatehouse.local\n"); // ignored by git
    gateway = await start();
    expect(gateway.gateway.current().policy.revision).toBe(`${second}+dirty`);
  });

  it("sees a local commit at once: the repository's refs are watched, not only polled", async () => {
    committedFolders();
    const work = join(temp.path, "work");
    const gateway = await start(); // poll: 1h
    expect(gateway.sync!.status().source.watching).toBe(true);

    temp.put("work/policies/gatehouse/decision.rego", policyRego(["echo"]));
    git(work, "commit", "--quiet", "--all", "-m", "block echo");
    const head = git(work, "rev-parse", "HEAD");
    await eventually(() => gateway.gateway.current().policy.revision === head, "the commit");
  });

  it("watches a branch in a folder of its own whose ref is packed at start (no refs/heads/team yet)", async () => {
    committedFolders("team/main");
    const work = join(temp.path, "work");
    git(work, "pack-refs", "--all"); // refs/heads/team/main now lives in packed-refs only
    const gateway = await start();
    expect(gateway.sync!.status().source.ref).toBe("branch team/main");

    temp.put("work/policies/gatehouse/decision.rego", policyRego(["echo"]));
    git(work, "commit", "--quiet", "--all", "-m", "block echo");
    const head = git(work, "rev-parse", "HEAD");
    await eventually(() => gateway.gateway.current().policy.revision === head, "the commit");
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
