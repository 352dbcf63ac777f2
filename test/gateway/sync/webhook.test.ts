// POST /-/sync (GitHub and GitLab push webhooks) and GET /-/status over real HTTP, against a
// gateway following a bare repository in a temp folder; `gatehouse status` as a child process.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../gateway/config.ts";
import { silentLogger } from "../../../gateway/log.ts";
import { startGateway, type RunningGateway, type SyncEvent } from "../../../gateway/sync/index.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";
import { postGithubPush, signGithub, TestRepo, writeGoodLayout } from "./helpers.ts";

const SECRET = "webhook-secret-for-tests";
const OPERATOR = "operator-token-for-tests";
const temp = useTempDir("gatehouse-webhook");
let running: RunningGateway | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(repo: TestRepo): Promise<{ base: string; seen: SyncEvent[] }> {
  const config = loadConfig({
    flags: {
      port: 0,
      dev: true,
      dataDir: join(temp.path, "data"),
      operatorToken: "env:TEST_OPERATOR_TOKEN",
      sync: { repo: repo.remote, branch: "main", poll: "1h", webhookSecret: "env:TEST_WEBHOOK" },
    },
  });
  running = await startGateway(config, {
    log: silentLogger,
    env: { ...process.env, TEST_WEBHOOK: SECRET, TEST_OPERATOR_TOKEN: OPERATOR },
  });
  const seen: SyncEvent[] = [];
  running.sync!.onSyncEvent((e) => seen.push(e));
  return { base: running.gateway.url.replace(/\/mcp$/, ""), seen };
}

const pushBody = (ref = "refs/heads/main") => JSON.stringify({ ref, after: "0".repeat(40) });
const sign = (body: string, secret = SECRET) => signGithub(body, secret);
const postGithub = postGithubPush;

function nextEvent(type: SyncEvent["type"]): Promise<SyncEvent> {
  return new Promise((resolve) => {
    const off = running!.sync!.onSyncEvent((e) => {
      if (e.type !== type) return;
      off();
      resolve(e);
    });
  });
}

describe("POST /-/sync", () => {
  it("answers 401 to a bad or missing signature and fetches nothing", async () => {
    const repo = new TestRepo(temp.path);
    writeGoodLayout(repo);
    const first = repo.commit("first");
    const { base, seen } = await start(repo);
    writeGoodLayout(repo, ["echo"]);
    repo.commit("second");

    const body = pushBody();
    const refusals = [
      await postGithub(base, body, sign(body, "wrong-secret")),
      await postGithub(base, body, sign(`${body} `)),
      await postGithub(base, body, "sha256=zz"),
      await fetch(`${base}/-/sync`, { method: "POST", body }),
      await fetch(`${base}/-/sync`, {
        method: "POST",
        headers: { "x-gitlab-event": "Push Hook", "x-gitlab-token": `${SECRET}x` },
        body,
      }),
    ];
    expect(refusals.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    expect(await refusals[0]!.json()).toEqual({ error: "bad signature (X-Hub-Signature-256)" });
    await running!.sync!.trigger("manual"); // settle anything (wrongly) scheduled, then look
    expect(seen.filter((e) => e.type === "fetched")).toHaveLength(1); // only the manual one
    expect(seen.filter((e) => e.type === "fetched" && e.trigger === "webhook")).toEqual([]);
    expect(running!.sync!.status().active?.revision).not.toBe(first);
  });

  it("fetches on a signed GitHub push and a GitLab push; ignores other refs; bounds the body", async () => {
    const repo = new TestRepo(temp.path);
    writeGoodLayout(repo);
    repo.commit("first");
    const { base } = await start(repo);

    writeGoodLayout(repo, ["echo"]);
    const second = repo.commit("second");
    const activated = nextEvent("activated");
    const body = pushBody();
    const response = await postGithub(base, body, sign(body));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: "fetch scheduled" });
    expect(await activated).toMatchObject({ revision: second });

    writeGoodLayout(repo);
    const third = repo.commit("third");
    const again = nextEvent("activated");
    const gitlab = await fetch(`${base}/-/sync`, {
      method: "POST",
      headers: { "x-gitlab-event": "Push Hook", "x-gitlab-token": SECRET },
      body: pushBody(),
    });
    expect(gitlab.status).toBe(202);
    expect(await again).toMatchObject({ revision: third });

    const other = pushBody("refs/heads/feature");
    const ignored = await postGithub(base, other, sign(other));
    expect(await ignored.json()).toEqual({
      status: "ignored",
      reason: "push to refs/heads/feature, following refs/heads/main",
    });
    const huge = JSON.stringify({ ref: "refs/heads/main", pad: "x".repeat(2 * 1024 * 1024) });
    expect((await postGithub(base, huge, sign(huge))).status).toBe(413);
  });

  it("coalesces a flood of webhooks into at most one fetch after the running one", async () => {
    const repo = new TestRepo(temp.path);
    writeGoodLayout(repo);
    repo.commit("first");
    const { base, seen } = await start(repo);
    writeGoodLayout(repo, ["echo"]);
    const second = repo.commit("second");

    const body = pushBody();
    const responses = await Promise.all(
      Array.from({ length: 30 }, () => postGithub(base, body, sign(body))),
    );
    expect(responses.every((r) => r.status === 202)).toBe(true);
    await running!.sync!.trigger("manual");
    const webhookFetches = seen.filter((e) => e.type === "fetched" && e.trigger === "webhook");
    expect(webhookFetches.length).toBeGreaterThanOrEqual(1);
    expect(webhookFetches.length).toBeLessThanOrEqual(2);
    expect(running!.gateway.current().policy.revision).toBe(second);
  });
});

describe("GET /-/status and gatehouse status", () => {
  it("needs the operator token and reports revision, last attempt and upstreams", async () => {
    const repo = new TestRepo(temp.path);
    writeGoodLayout(repo);
    const first = repo.commit("first");
    const { base } = await start(repo);
    repo.write("catalog/servers/scripted.yaml", "name: scripted\n");
    const broken = repo.commit("broken catalog");
    await running!.sync!.trigger("manual");

    expect((await fetch(`${base}/-/status`)).status).toBe(401);
    const wrong = await fetch(`${base}/-/status`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${base}/-/status`, {
      headers: { authorization: `Bearer ${OPERATOR}` },
    });
    expect(ok.status).toBe(200);
    const status = (await ok.json()) as Record<string, any>;
    expect(status.revision).toBe(first);
    expect(status.sync.active).toMatchObject({ revision: first, from: "git" });
    expect(status.sync.lastAttempt).toMatchObject({
      revision: broken,
      outcome: "refused",
      stage: "catalog",
    });
    expect(status.upstreams.map((u: { name: string }) => u.name)).toEqual(["scripted"]);

    const cli = fileURLToPath(new URL("../../../cli/main.ts", import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "--experimental-transform-types",
        "--disable-warning=ExperimentalWarning",
        cli,
        "status",
        "--url",
        base,
      ],
      { env: { ...process.env, GATEHOUSE_OPERATOR_TOKEN: OPERATOR } },
    );
    expect(stdout).toContain(`revision     ${first}`);
    expect(stdout).toContain(`${broken} REFUSED at catalog`);
    expect(stdout).toMatch(/upstreams\n {2}scripted {2}stdio {2}/);
  });
});
