// GitOps end to end with real git: a bare repository in a temp folder is the remote, the test
// commits and pushes, the gateway (startGateway, real stdio upstream, SDK client over HTTP)
// fetches, and only commits that pass every stage are activated.
import { existsSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig, type ConfigLayer } from "../../../gateway/config.ts";
import { silentLogger } from "../../../gateway/log.ts";
import { startGateway, type RunningGateway, type SyncEvent } from "../../../gateway/sync/index.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";
import {
  connectClient,
  FAILING_TEST,
  outcome,
  policyRego,
  TestRepo,
  writeGoodLayout,
} from "./helpers.ts";

const temp = useTempDir("gatehouse-sync");
let running: RunningGateway | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.close();
  await running?.close();
  client = undefined;
  running = undefined;
});

async function start(repo: TestRepo, sync: ConfigLayer["sync"] = {}): Promise<RunningGateway> {
  const config = loadConfig({
    flags: {
      port: 0,
      dev: true,
      dataDir: join(temp.path, "data"),
      sync: { repo: repo.remote, branch: "main", poll: "1h", ...sync },
    },
  });
  running = await startGateway(config, { log: silentLogger });
  client = await connectClient(running.gateway.url);
  return running;
}

function events(gateway: RunningGateway): SyncEvent[] {
  const seen: SyncEvent[] = [];
  gateway.sync!.onSyncEvent((e) => seen.push(e));
  return seen;
}

describe("activation from a Git repository", () => {
  it("enforces a policy change after the next fetch; the deciding revision is in the input", async () => {
    const repo = new TestRepo(temp.path);
    writeGoodLayout(repo);
    const first = repo.commit("allow echo");
    const gateway = await start(repo);
    expect(gateway.gateway.current().policy.revision).toBe(first);
    expect(await outcome(client!, "scripted__echo")).toBe("ok echo: hi");

    repo.write("policies/gatehouse/decision.rego", policyRego(["echo"]));
    const second = repo.commit("block echo");
    // not fetched yet: the first revision still decides
    expect(await outcome(client!, "scripted__echo")).toBe("ok echo: hi");
    await gateway.sync!.trigger("manual");
    expect(await outcome(client!, "scripted__echo")).toContain(`tool echo at revision ${second}`);
    const status = gateway.sync!.status();
    expect(status.active?.revision).toBe(second);
    expect(status.active?.bundleDigest).toBe(gateway.gateway.current().policy.bundleDigest);
    expect(status.lastAttempt).toMatchObject({ revision: second, outcome: "activated" });
  });

  it("refuses a Rego syntax error, a failing policy test and an invalid catalog; a later good commit activates", async () => {
    const repo = new TestRepo(temp.path);
    writeGoodLayout(repo);
    const good = repo.commit("good");
    const gateway = await start(repo);
    const seen = events(gateway);

    repo.write("policies/gatehouse/decision.rego", "package gatehouse\n\ndecision := {\n");
    const syntax = repo.commit("syntax error");
    await gateway.sync!.trigger("manual");
    expect(gateway.sync!.status().lastAttempt).toMatchObject({
      revision: syntax,
      outcome: "refused",
      stage: "policy",
    });
    expect(gateway.sync!.status().lastAttempt?.problems?.join("\n")).toMatch(
      /^policies\/gatehouse\/decision\.rego:\d+:\d+: rego_parse_error/m,
    );

    writeGoodLayout(repo);
    repo.write("policies/gatehouse/failing_test.rego", FAILING_TEST);
    const failing = repo.commit("failing test");
    await gateway.sync!.trigger("manual");
    expect(gateway.sync!.status().lastAttempt).toMatchObject({
      revision: failing,
      stage: "tests",
    });
    expect(gateway.sync!.status().lastAttempt?.problems?.join("\n")).toContain(
      "data.gatehouse_test.test_fails: FAIL",
    );

    repo.remove("policies/gatehouse/failing_test.rego");
    repo.write(
      "catalog/servers/scripted.yaml",
      "name: scripted\ntransport:\n  type: carrier-pigeon\n",
    );
    const badCatalog = repo.commit("invalid catalog");
    await gateway.sync!.trigger("manual");
    expect(gateway.sync!.status().lastAttempt).toMatchObject({
      revision: badCatalog,
      stage: "catalog",
    });
    expect(gateway.sync!.status().lastAttempt?.problems?.[0]).toMatch(
      /^catalog\/servers\/scripted\.yaml: transport\.type: /,
    );

    // through all of it the first revision decided, and still does
    expect(gateway.gateway.current().policy.revision).toBe(good);
    expect(await outcome(client!, "scripted__echo")).toBe("ok echo: hi");
    expect(
      seen.filter((e) => e.type === "refused").map((e) => e.type === "refused" && e.stage),
    ).toEqual(["policy", "tests", "catalog"]);

    writeGoodLayout(repo, ["echo"]);
    const fixed = repo.commit("fixed");
    await gateway.sync!.trigger("manual");
    expect(gateway.gateway.current().policy.revision).toBe(fixed);
    expect(await outcome(client!, "scripted__echo")).toContain(`revision ${fixed}`);
  });

  it("follows a force-push to an older commit (the branch head is the truth)", async () => {
    const repo = new TestRepo(temp.path);
    writeGoodLayout(repo);
    const older = repo.commit("older");
    const gateway = await start(repo);
    writeGoodLayout(repo, ["echo"]);
    const newer = repo.commit("newer");
    await gateway.sync!.trigger("manual");
    expect(gateway.gateway.current().policy.revision).toBe(newer);

    repo.forcePush(older);
    await gateway.sync!.trigger("manual");
    expect(gateway.gateway.current().policy.revision).toBe(older);
    expect(await outcome(client!, "scripted__echo")).toBe("ok echo: hi");
  });

  it("refuses a huge file and too many files before checking anything out", async () => {
    const repo = new TestRepo(temp.path);
    writeGoodLayout(repo);
    const good = repo.commit("good");
    const gateway = await start(repo, { limits: { maxFiles: 20, maxFileBytes: 64 * 1024 } });

    repo.write("policies/access/data.json", JSON.stringify({ pad: "x".repeat(100_000) }));
    const huge = repo.commit("huge file");
    await gateway.sync!.trigger("manual");
    expect(gateway.sync!.status().lastAttempt).toMatchObject({ revision: huge, stage: "bounds" });
    expect(gateway.sync!.status().lastAttempt?.problems).toEqual([
      expect.stringMatching(
        /^policies\/access\/data\.json: 100\d+ bytes, more than the limit of 65536 \(sync\.limits\.maxFileBytes\)$/,
      ),
    ]);
    // refused before checkout: no folder was written for it
    const checkouts = join(temp.path, "data", "sync");
    expect(findFolders(checkouts, huge)).toEqual([]);

    repo.remove("policies/access/data.json");
    for (let i = 0; i < 25; i++) repo.write(`policies/notes/n${i}.json`, "{}");
    repo.commit("many files");
    await gateway.sync!.trigger("manual");
    const many = gateway.sync!.status().lastAttempt!;
    expect(many.stage).toBe("bounds");
    expect(many.problems?.[0]).toMatch(
      /^\d+ files under the catalog and policy folders, more than the limit of 20/,
    );
    expect(gateway.gateway.current().policy.revision).toBe(good);
  });

  it("keeps serving the last good revision while the remote is unreachable", async () => {
    const repo = new TestRepo(temp.path);
    writeGoodLayout(repo);
    const good = repo.commit("good");
    const gateway = await start(repo);
    const seen = events(gateway);

    renameSync(repo.remote, `${repo.remote}.away`);
    await gateway.sync!.trigger("manual");
    const status = gateway.sync!.status();
    expect(status.lastFetch?.ok).toBe(false);
    expect(status.lastFetch?.error).toMatch(
      /does not appear to be a git repository|not found|No such/i,
    );
    expect(seen.map((e) => e.type)).toEqual(["fetch_failed"]);
    expect(gateway.gateway.current().policy.revision).toBe(good);
    expect(await outcome(client!, "scripted__echo")).toBe("ok echo: hi");

    renameSync(`${repo.remote}.away`, repo.remote);
    writeGoodLayout(repo, ["echo"]);
    const next = repo.commit("after the outage");
    await gateway.sync!.trigger("manual");
    expect(gateway.gateway.current().policy.revision).toBe(next);
  });

  it("clones again when the cache is corrupt", async () => {
    const repo = new TestRepo(temp.path);
    writeGoodLayout(repo);
    repo.commit("good");
    const gateway = await start(repo);
    const [cache] = readdirSync(join(temp.path, "data", "sync"));
    const packs = join(temp.path, "data", "sync", cache!, "repo.git", "objects");
    writeFileSync(join(temp.path, "data", "sync", cache!, "repo.git", "HEAD"), "garbage\n");
    expect(existsSync(packs)).toBe(true);

    writeGoodLayout(repo, ["echo"]);
    const next = repo.commit("after corruption");
    await gateway.sync!.trigger("manual");
    expect(gateway.sync!.status().lastFetch).toMatchObject({ ok: true, revision: next });
    expect(gateway.gateway.current().policy.revision).toBe(next);
  });
});

/** Folders named `name` anywhere under `root`. */
function findFolders(root: string, name: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true }))
    if (entry.isDirectory() && entry.name === name) found.push(join(entry.parentPath, entry.name));
  return found;
}
