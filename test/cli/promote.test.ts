// gatehouse promote against real git: a work repository whose remote is a bare repository in a temp
// folder. The one test double is the GitHub REST API: a local node:http server stands in for it
// (GITHUB_API_URL points at it) and records the pull-request call it receives.
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { simpleGit } from "simple-git";
import { afterEach, describe, expect, it } from "vitest";
import { promote } from "../../cli/promote/index.ts";
import {
  commitAll,
  DECISIONS,
  FIXTURES,
  initRepository,
  putFixture,
} from "../fixtures/policy-diff/git-repo.ts";
import { useTempDir } from "../helpers/temp-dir.ts";

const tmp = useTempDir("gatehouse-promote");

interface RecordedCall {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
}

/** Stand-in for the GitHub (or GitLab) REST API, the test double: answers every call with `status` and `reply`. */
async function standInForgeApi(status: number, reply: unknown) {
  const calls: RecordedCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      calls.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
      });
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(reply));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  servers.push(server);
  return { calls, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/**
 * environments/staging holds policy v2, environments/prod policy v1, each with a catalog file;
 * main is pushed to a bare remote `origin`.
 */
async function environmentsRepository() {
  const remote = join(tmp.path, "remote.git");
  await simpleGit().raw(["init", "--bare", "--initial-branch=main", remote]);
  const work = join(tmp.path, "work");
  const git = await initRepository(work);
  putFixture(work, "v2/policies", "environments/staging/policies");
  putFixture(work, "v1/policies", "environments/prod/policies");
  for (const env of ["staging", "prod"]) {
    tmp.put(`work/environments/${env}/catalog/servers/github.yaml`, `name: github\n# ${env}\n`);
  }
  tmp.put("work/gatehouse-promote.yaml", "repository: acme/policies\n");
  await commitAll(git, "environments");
  await git.addRemote("origin", remote);
  await git.push("origin", "main");
  return { work, remote, git, bare: simpleGit(remote) };
}

describe("gatehouse promote", { timeout: 120_000 }, () => {
  it("tests, diffs, pushes a branch to the remote and opens a pull request", async () => {
    const { work, bare, git } = await environmentsRepository();
    const api = await standInForgeApi(201, {
      number: 7,
      html_url: "https://github.com/acme/policies/pull/7",
    });
    const result = await promote({
      repo: work,
      from: "staging",
      to: "prod",
      decisions: DECISIONS,
      env: { GITHUB_TOKEN: "test-token", GITHUB_API_URL: api.url },
    });
    expect(result.url).toBe("https://github.com/acme/policies/pull/7");
    expect(result.branch).toMatch(/^promote\/staging-to-prod-[0-9a-f]{8}$/);
    expect(result.tests.counts).toEqual({ PASS: 2, FAIL: 0, SKIPPED: 0, ERROR: 0 });
    expect(result.changes).toEqual([
      { status: "M", path: "catalog/servers/github.yaml" },
      { status: "M", path: "policies/access/data.json" },
      { status: "M", path: "policies/gatehouse/decision.rego" },
    ]);

    // the pull-request call
    expect(api.calls).toHaveLength(1);
    const call = api.calls[0]!;
    expect(call.method).toBe("POST");
    expect(call.url).toBe("/repos/acme/policies/pulls");
    expect(call.headers.authorization).toBe("Bearer test-token");
    expect(call.headers.accept).toBe("application/vnd.github+json");
    expect(call.body).toMatchObject({ head: result.branch, base: "main", title: result.title });
    const body = String(call.body.body);
    expect(body).toContain("## Promote `staging` → `prod`");
    expect(body).toContain("2/2 passed");
    expect(body).toMatch(/line coverage \d+\.\d\d%/);
    expect(body).toContain(
      "replayed 9 recorded decisions: 6 change (3 allow → deny, 1 deny → allow, 2 reasons changed)",
    );
    expect(body).toContain("| bob | github/create_issue | 2 | 0 | 0 |");
    expect(body).toContain("- `M` policies/access/data.json");

    // the pushed branch: prod now holds staging's files; main on the remote is untouched
    const pushed = await bare.raw([
      "show",
      `${result.branch}:environments/prod/policies/access/data.json`,
    ]);
    expect(pushed).toBe(readFileSync(join(FIXTURES, "v2/policies/access/data.json"), "utf8"));
    expect(
      await bare.raw(["show", `${result.branch}:environments/prod/catalog/servers/github.yaml`]),
    ).toBe("name: github\n# staging\n");
    expect(await bare.raw(["show", "main:environments/prod/policies/access/data.json"])).toBe(
      readFileSync(join(FIXTURES, "v1/policies/access/data.json"), "utf8"),
    );
    expect(await bare.raw(["log", "-1", "--format=%s", result.branch])).toBe(`${result.title}\n`);
    expect(await bare.raw(["rev-parse", result.branch])).toBe(`${result.commit}\n`);

    // the user's checkout is as it was: clean, on main, no worktree left behind
    expect((await git.status()).isClean()).toBe(true);
    expect((await git.revparse(["--abbrev-ref", "HEAD"])).trim()).toBe("main");
    expect((await git.raw(["worktree", "list"])).trim().split("\n")).toHaveLength(1);
  });

  it("promotes a branch environment into another and opens a GitLab merge request", async () => {
    const remote = join(tmp.path, "remote.git");
    await simpleGit().raw(["init", "--bare", "--initial-branch=main", remote]);
    const work = join(tmp.path, "work");
    const git = await initRepository(work);
    putFixture(work, "v1/policies", "policies");
    tmp.put("work/README.md", "policy repository\n");
    await commitAll(git, "v1");
    await git.checkoutLocalBranch("staging");
    putFixture(work, "v2/policies", "policies");
    tmp.put("work/README.md", "staging notes, not promoted\n");
    await commitAll(git, "v2 on staging");
    await git.addRemote("origin", remote);
    await git.push("origin", "staging");
    await git.checkout("main");
    await git.push("origin", "main");
    // a GitLab merge request this time: the stand-in answers as GitLab's API would
    const api = await standInForgeApi(201, {
      iid: 8,
      web_url: "https://gitlab.example/acme/policies/-/merge_requests/8",
    });

    const result = await promote({
      repo: work,
      from: "staging",
      to: "main",
      provider: "gitlab",
      repository: "acme/policies",
      env: { GITLAB_TOKEN: "gl-token", GITLAB_API_URL: `${api.url}/api/v4` },
    });
    expect(result.url).toBe("https://gitlab.example/acme/policies/-/merge_requests/8");
    expect(result.changes).toEqual([
      { status: "M", path: "policies/access/data.json" },
      { status: "M", path: "policies/gatehouse/decision.rego" },
    ]);
    const call = api.calls[0]!;
    expect(call.url).toBe("/api/v4/projects/acme%2Fpolicies/merge_requests");
    expect(call.headers["private-token"]).toBe("gl-token");
    expect(call.body).toMatchObject({
      source_branch: result.branch,
      target_branch: "main",
      title: "Promote staging to main (" + result.branch.slice(-8) + ")",
    });
    expect(String(call.body.description)).toContain("2/2 passed");
    const bare = simpleGit(remote);
    expect(await bare.raw(["show", `${result.branch}:policies/access/data.json`])).toBe(
      readFileSync(join(FIXTURES, "v2/policies/access/data.json"), "utf8"),
    );
    // only policies/ and catalog/ move with a branch environment
    expect(await bare.raw(["show", `${result.branch}:README.md`])).toBe("policy repository\n");
  });

  it("--dry-run reports the plan and pushes and opens nothing", async () => {
    const { work, bare } = await environmentsRepository();
    const api = await standInForgeApi(201, { html_url: "https://example.test/pull/1" });
    const result = await promote({
      repo: work,
      from: "staging",
      to: "prod",
      dryRun: true,
      env: { GITHUB_API_URL: api.url }, // no token is needed for a dry run
    });
    expect(result.dryRun).toBe(true);
    expect(result.url).toBeUndefined();
    expect(result.changes).toHaveLength(3);
    expect(result.body).toContain("2/2 passed");
    expect(result.body).toContain("No recorded decisions given (--decisions)");
    expect(api.calls).toHaveLength(0);
    expect(await bare.raw(["for-each-ref", "--format=%(refname)", "refs/heads"])).toBe(
      "refs/heads/main\n",
    );
  });

  it("--dry-run needs no repository on the provider (the remote here is a local path)", async () => {
    const { work, git } = await environmentsRepository();
    tmp.put("work/gatehouse-promote.yaml", "base: main\n");
    await commitAll(git, "no repository setting");
    const plan = await promote({ repo: work, from: "staging", to: "prod", dryRun: true, env: {} });
    expect(plan.dryRun).toBe(true);
    expect(plan.changes).toHaveLength(3);
    // a real promotion still says what is missing, before anything is pushed
    await expect(
      promote({ repo: work, from: "staging", to: "prod", env: { GITHUB_TOKEN: "t" } }),
    ).rejects.toThrow(/cannot tell the github repository from the remote URL .*--repository/);
  });

  it("refuses a dirty work tree and changes nothing", async () => {
    const { work, bare } = await environmentsRepository();
    writeFileSync(join(work, "environments/staging/policies/extra.rego"), "package extra\n");
    await expect(
      promote({ repo: work, from: "staging", to: "prod", env: { GITHUB_TOKEN: "t" } }),
    ).rejects.toThrow(
      "the work tree has uncommitted changes (environments/staging/policies/extra.rego): commit or stash them first",
    );
    expect(await bare.raw(["for-each-ref", "--format=%(refname)", "refs/heads"])).toBe(
      "refs/heads/main\n",
    );
  });

  it("refuses to start without a token, and names unknown environments", async () => {
    const { work } = await environmentsRepository();
    await expect(promote({ repo: work, from: "staging", to: "prod", env: {} })).rejects.toThrow(
      /^GITHUB_TOKEN is not set/,
    );
    await expect(
      promote({ repo: work, from: "staging", to: "qa", dryRun: true, env: {} }),
    ).rejects.toThrow(/environment qa: not configured in gatehouse-promote.yaml, no folder/);
  });

  it("shows GitHub's refusal with what to do (422: the pull request exists)", async () => {
    const { work } = await environmentsRepository();
    const api = await standInForgeApi(422, {
      message: "Validation Failed",
      errors: [
        {
          resource: "PullRequest",
          code: "custom",
          message: "A pull request already exists for acme:promote.",
        },
      ],
    });
    const error = await promote({
      repo: work,
      from: "staging",
      to: "prod",
      env: { GITHUB_TOKEN: "secret-token-value", GITHUB_API_URL: api.url },
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain("HTTP 422: Validation Failed; A pull request already exists");
    expect(message).toContain("already exists: review that one");
    expect(message).not.toContain("secret-token-value");
  });

  it("shows GitHub's refusal with what to do (401: bad token)", async () => {
    const { work } = await environmentsRepository();
    const api = await standInForgeApi(401, { message: "Bad credentials" });
    await expect(
      promote({
        repo: work,
        from: "staging",
        to: "prod",
        env: { GITHUB_TOKEN: "expired", GITHUB_API_URL: api.url },
      }),
    ).rejects.toThrow(
      /HTTP 401: Bad credentials\): GITHUB_TOKEN is invalid or expired: create a new token/,
    );
  });
});
