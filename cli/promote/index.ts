// `gatehouse promote --from <env> --to <env>`: tests the source environment's policies, replays
// recorded decisions against the target's and the source's, commits the source's files over the
// target's on a new branch (in a temporary worktree: the user's checkout is never touched), pushes
// it and opens a pull request with the findings.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { simpleGit } from "simple-git";
import { CliError } from "../failure.ts";
import { diffFolders, formatDiff, openRepository, resolveCommit } from "../policy-diff/index.ts";
import { folderExists, type Repository } from "../policy-diff/git-tree.ts";
import { loadPromoteSettings, resolveEnvironment, type PromoteSettings } from "./config.ts";
import {
  compareTrees,
  environmentLayout,
  exportEnvironment,
  listFiles,
  type EnvironmentAt,
  type FileChange,
} from "./snapshot.ts";
import {
  forgeFromEnvironment,
  openReviewRequest,
  repositoryFromRemoteUrl,
  type Forge,
} from "./review-request.ts";
import { reviewBody, type TestSummary } from "./body.ts";

export interface PromoteOptions {
  from: string;
  to: string;
  dryRun?: boolean;
  repo?: string;
  config?: string;
  remote?: string;
  base?: string;
  decisions?: string;
  /** PostgreSQL schema of the audit tables, when --decisions is a postgres:// URL */
  schema?: string;
  provider?: "github" | "gitlab";
  repository?: string;
  /** the process environment (tokens, API URLs) */
  env?: Record<string, string | undefined>;
  /** progress lines (stderr in the CLI) */
  log?: (line: string) => void;
}

export interface PromoteResult {
  dryRun: boolean;
  branch: string;
  /** undefined when nothing differs, or in a dry run */
  url?: string;
  changes: FileChange[];
  tests: TestSummary;
  title: string;
  body: string;
  /** the commit pushed, when one was */
  commit?: string;
}

export async function promote(options: PromoteOptions): Promise<PromoteResult> {
  const log = options.log ?? (() => {});
  const env = options.env ?? process.env;
  const repo = await openRepository(options.repo ?? ".");
  if (options.from === options.to) throw new CliError("--from and --to name the same environment");
  await refuseDirtyTree(repo);
  const settings = loadPromoteSettings(repo.root, options.config, {
    remote: options.remote,
    base: options.base,
    provider: options.provider,
    repository: options.repository,
  });
  // where the pull request goes matters only when one is opened: a dry run needs no remote
  const repository = options.dryRun ? undefined : await reviewRepository(repo, settings);
  // fail before anything is pushed when the pull request could not be opened
  const forge: Forge | undefined = options.dryRun
    ? undefined
    : forgeFromEnvironment(settings.provider, env);

  if (!options.dryRun) {
    log(`fetching ${settings.remote}`);
    await repo.git.fetch(settings.remote);
  }
  const head = await resolveCommit(repo, "HEAD", "HEAD");
  const probe = {
    folderExists: (folder: string) => folderExists(repo, head, folder),
    branchExists: (branch: string) => branchCommit(repo, settings.remote, branch).then(Boolean),
  };
  const fromEnv = await resolveEnvironment(options.from, settings, probe);
  const toEnv = await resolveEnvironment(options.to, settings, probe);
  const source = await sideOf(repo, settings, fromEnv, head, "source");
  const target = await sideOf(repo, settings, toEnv, head, "target");
  const targetBranch = toEnv.kind === "branch" ? toEnv.branch : settings.base;

  const scratch = mkdtempSync(join(tmpdir(), "gatehouse-promote-"));
  try {
    const sourceDir = join(scratch, "source");
    const targetDir = join(scratch, "target");
    // only folders the source has are promoted: a folder it lacks is left alone in the target
    source.paths = await exportEnvironment(repo, source, sourceDir);
    if (source.paths.length === 0)
      throw new CliError(`${fromEnv.name}: no files to promote at ${source.ref}`);
    target.paths = source.paths;
    await exportEnvironment(repo, target, targetDir);
    const changes = compareTrees(sourceDir, targetDir);

    log(`testing the policies of ${fromEnv.name} (${source.ref})`);
    const tests = await testPolicies(join(sourceDir, settings.policies), fromEnv.name);
    if (!tests.passed) {
      throw new CliError(
        `${fromEnv.name}: the policy tests fail, nothing was promoted:\n${tests.output.trimEnd()}`,
      );
    }
    const diffMarkdown = await decisionDiff(
      join(targetDir, settings.policies),
      join(sourceDir, settings.policies),
      toEnv.name,
      fromEnv.name,
      { decisions: options.decisions, schema: options.schema },
      log,
    );

    const branch = `promote/${fromEnv.name}-to-${toEnv.name}-${source.commit.slice(0, 8)}`;
    const title = `Promote ${fromEnv.name} to ${toEnv.name} (${source.commit.slice(0, 8)})`;
    const body = reviewBody({ source, target, targetBranch, changes, tests, diffMarkdown });
    const result: PromoteResult = {
      dryRun: options.dryRun === true,
      branch,
      changes,
      tests,
      title,
      body,
    };
    if (changes.length === 0) {
      log(`${toEnv.name} already holds what ${fromEnv.name} has: nothing to promote`);
      return result;
    }
    if (options.dryRun) return result;

    if (await remoteBranchExists(repo, settings.remote, branch)) {
      throw new CliError(
        `the branch ${branch} already exists on ${settings.remote}: this revision's promotion is pending; review its pull request, or delete the branch to start over`,
      );
    }
    result.commit = await commitAndPush(repo, {
      scratch,
      sourceDir,
      target,
      startCommit: target.commit,
      remote: settings.remote,
      branch,
      message: `${title}\n\n${changes.map((c) => `${c.status} ${c.path}`).join("\n")}\n`,
    });
    log(`pushed ${branch} to ${settings.remote}`);
    result.url = await openReviewRequest(forge!, {
      repository: repository!,
      head: branch,
      base: targetBranch,
      title,
      body,
    });
    return result;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function refuseDirtyTree(repo: Repository): Promise<void> {
  const status = await repo.git.status();
  if (status.isClean()) return;
  const files = status.files.map((f) => f.path);
  const shown = files.slice(0, 10).join(", ") + (files.length > 10 ? `, … (${files.length})` : "");
  throw new CliError(
    `the work tree has uncommitted changes (${shown}): commit or stash them first; promote takes the committed state, so nothing was changed`,
  );
}

/** owner/name on the provider: the setting, else read from the remote's URL. */
async function reviewRepository(
  repo: Repository,
  settings: { remote: string; provider: string; repository?: string },
): Promise<string> {
  const remoteUrl = await remoteUrlOf(repo, settings.remote);
  const repository = settings.repository ?? repositoryFromRemoteUrl(remoteUrl);
  if (repository === undefined) {
    throw new CliError(
      `cannot tell the ${settings.provider} repository from the remote URL ${remoteUrl}: pass --repository <owner/name> or set repository in gatehouse-promote.yaml`,
    );
  }
  return repository;
}

async function remoteUrlOf(repo: Repository, remote: string): Promise<string> {
  if (remote.startsWith("-")) throw new CliError(`--remote ${remote}: not a remote name`);
  try {
    return (await repo.git.raw(["remote", "get-url", remote])).trim();
  } catch {
    throw new CliError(
      `no git remote named ${remote} in ${repo.root}: add it (git remote add ${remote} <url>) or pass --remote <name>`,
    );
  }
}

/** The commit of `<remote>/<branch>` when fetched, else of the local branch, else undefined. */
async function branchCommit(
  repo: Repository,
  remote: string,
  branch: string,
): Promise<string | undefined> {
  for (const ref of [`refs/remotes/${remote}/${branch}`, `refs/heads/${branch}`]) {
    try {
      const sha = (
        await repo.git.raw(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])
      ).trim();
      if (sha !== "") return sha;
    } catch {
      // try the next
    }
  }
  return undefined;
}

async function remoteBranchExists(repo: Repository, remote: string, branch: string) {
  const out = await repo.git.raw(["ls-remote", "--heads", remote, `refs/heads/${branch}`]);
  return out.trim() !== "";
}

/** Where an environment's files are: a folder at HEAD (source) or on the base branch (target). */
async function sideOf(
  repo: Repository,
  settings: PromoteSettings,
  env: Awaited<ReturnType<typeof resolveEnvironment>>,
  head: string,
  role: "source" | "target",
): Promise<EnvironmentAt> {
  const layout = environmentLayout(env);
  if (env.kind === "folder" && role === "source")
    return { env, commit: head, ref: "HEAD", ...layout };
  const branch = env.kind === "branch" ? env.branch : settings.base;
  const commit = await branchCommit(repo, settings.remote, branch);
  if (commit === undefined) {
    throw new CliError(
      `${env.name}: no branch ${branch} on ${settings.remote} or locally: push it first, or pass --base <branch>`,
    );
  }
  return { env, commit, ref: branch, ...layout };
}

async function testPolicies(dir: string, envName: string): Promise<TestSummary> {
  const { runTestsInPaths, formatPretty, outcomeOf } = await import("../../rego/test/index.ts");
  let report;
  try {
    report = await runTestsInPaths([dir], { coverage: true });
  } catch (e) {
    throw new CliError(`${envName}: cannot run the policy tests: ${(e as Error).message}`);
  }
  const counts = { PASS: 0, FAIL: 0, SKIPPED: 0, ERROR: 0 };
  for (const r of report.results) counts[outcomeOf(r)] += 1;
  return {
    passed: report.exitCode === 0,
    counts,
    coverage: report.coverage?.coverage,
    output: formatPretty(report),
  };
}

async function decisionDiff(
  targetPolicies: string,
  sourcePolicies: string,
  toName: string,
  fromName: string,
  recorded: { decisions?: string; schema?: string },
  log: (line: string) => void,
): Promise<string> {
  const heading = "### Decision diff\n\n";
  if (recorded.decisions === undefined)
    return `${heading}No recorded decisions given (--decisions): no decision was replayed.\n`;
  if (listFiles(targetPolicies).size === 0)
    return `${heading}\`${toName}\` has no policies yet: every decision is new.\n`;
  log(`replaying recorded decisions against ${toName} and ${fromName}`);
  const replay = await diffFolders(
    { dir: targetPolicies, label: toName },
    { dir: sourcePolicies, label: fromName },
    recorded.decisions,
    { schema: recorded.schema },
  );
  return formatDiff(
    { ...replay, baseLabel: toName, headLabel: fromName, policies: "policies" },
    "markdown",
  );
}

interface CommitPlan {
  scratch: string;
  sourceDir: string;
  target: EnvironmentAt;
  startCommit: string;
  remote: string;
  branch: string;
  message: string;
}

/** Commits the source's files over the target's in a detached worktree and pushes the branch. */
async function commitAndPush(repo: Repository, plan: CommitPlan): Promise<string> {
  const worktree = join(plan.scratch, "worktree");
  await repo.git.raw(["worktree", "add", "--detach", worktree, plan.startCommit]);
  try {
    const git = simpleGit(worktree);
    for (const path of plan.target.paths) {
      const inRepo = posix.join(plan.target.root || ".", path || ".");
      const dest = join(worktree, inRepo);
      rmSync(dest, { recursive: true, force: true });
      mkdirSync(dest, { recursive: true });
      cpSync(path === "" ? plan.sourceDir : join(plan.sourceDir, path), dest, { recursive: true });
      await git.raw(["add", "-A", "--", inRepo]);
    }
    await git.commit(plan.message);
    const commit = (await git.revparse(["HEAD"])).trim();
    await git.push(plan.remote, `HEAD:refs/heads/${plan.branch}`);
    return commit;
  } finally {
    await repo.git.raw(["worktree", "remove", "--force", worktree]).catch(() => undefined);
  }
}
