// Which repository, ref and folders the sync follows: a configured repository (sync.repo), or,
// without one, the repository that holds the served catalog and policy folders (the quick start).
import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import type { GatewayConfig } from "../config.ts";
import type { GitRunner } from "./git.ts";
import type { SourceRef } from "./mirror.ts";
import { repoPath, type RepoLayout } from "./pipeline.ts";

export interface SyncSource {
  mode: "remote" | "local";
  /** what git is given: a URL, or an absolute path */
  url: string;
  /** the same without credentials, for logs and status */
  displayUrl: string;
  ref: SourceRef;
  layout: RepoLayout;
  /** local mode: the commit the served folders were at when the gateway started */
  baseline?: string;
  /**
   * local mode: the revision the folders are served under at start: the baseline commit, or
   * `<commit>+dirty` when the served folders differ from it (edited, added or removed files)
   */
  startRevision?: string;
  /** local mode: the repository's git folder holding its refs (watched for new commits) */
  refsDir?: string;
}

/** A source setting that cannot work; the message says what to change. */
export class SyncSourceError extends Error {
  override name = "SyncSourceError";
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const SCP_LIKE = /^[^/@\s]+@[^:/\s]+:/;

/** The source, or why there is none (local folders outside a repository, git missing). */
export async function resolveSource(
  config: GatewayConfig,
  git: GitRunner,
): Promise<SyncSource | string> {
  const settings = config.sync;
  const ref: SourceRef = settings.tag
    ? { kind: "tag", name: settings.tag }
    : settings.branch
      ? { kind: "branch", name: settings.branch }
      : { kind: "default" };
  if (settings.repo !== null) {
    const url = remoteLocation(settings.repo);
    return {
      mode: "remote",
      url,
      displayUrl: git.redact(url),
      ref,
      layout: {
        catalogDir: insideRepo(settings.subdir, config.catalogDir, "catalogDir"),
        policyDirs: config.policyDirs.map((d) => insideRepo(settings.subdir, d, "policyDirs")),
      },
    };
  }
  return localSource(config, git, ref);
}

function remoteLocation(repo: string): string {
  if (URL_LIKE.test(repo)) {
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(repo))
      throw new SyncSourceError(
        "sync.repo: the URL holds a password or token; put it in sync.auth.token (env: or file:) instead",
      );
    return repo;
  }
  if (SCP_LIKE.test(repo)) return repo;
  return resolve(repo);
}

function insideRepo(subdir: string, path: string, field: string): string {
  if (isAbsolute(path) || path.split(/[\\/]/).includes(".."))
    throw new SyncSourceError(
      `${field}: ${path} must be a path inside the repository when sync.repo is set`,
    );
  return repoPath(subdir, path);
}

async function localSource(
  config: GatewayConfig,
  git: GitRunner,
  wanted: SourceRef,
): Promise<SyncSource | string> {
  const folders = [config.catalogDir, ...config.policyDirs].map((d) => realFolder(d));
  if (folders.some((f) => f === undefined)) return "a served folder does not exist";
  let top: string;
  try {
    top = (await git.run(folders[0]!, ["rev-parse", "--show-toplevel"])).trim();
  } catch {
    return `${config.catalogDir} is not in a git repository (or git is not installed)`;
  }
  const layout = folders.map((f) => relative(top, f!) || ".");
  if (layout.some((p) => p.startsWith("..") || isAbsolute(p)))
    return `the catalog and policy folders are not all in the repository ${top}`;
  let ref = wanted;
  if (ref.kind === "default") {
    try {
      ref = {
        kind: "branch",
        name: (await git.run(top, ["symbolic-ref", "--short", "HEAD"])).trim(),
      };
    } catch {
      return `HEAD of ${top} is detached; set sync.branch to follow a branch`;
    }
  }
  const fullRef = ref.kind === "branch" ? `refs/heads/${ref.name}` : `refs/tags/${ref.name}`;
  let baseline: string | undefined;
  try {
    baseline = (
      await git.run(top, ["rev-parse", "--verify", "--quiet", `${fullRef}^{commit}`])
    ).trim();
  } catch {
    baseline = undefined; // no commit yet: the first one is followed
  }
  const served = baseline ? await servedRevision(git, top, baseline, layout) : undefined;
  return {
    mode: "local",
    url: top,
    displayUrl: top,
    ref,
    layout: { catalogDir: layout[0]!, policyDirs: layout.slice(1) },
    baseline: baseline || undefined,
    startRevision: served,
    refsDir: await commonGitDir(git, top),
  };
}

/**
 * `commit` when the served folders hold exactly that commit's files, else `<commit>+dirty`
 * (modified, staged, untracked or ignored files under them: anything the loaders would read).
 */
async function servedRevision(
  git: GitRunner,
  top: string,
  commit: string,
  paths: string[],
): Promise<string> {
  try {
    const changes = await git.run(top, [
      "--no-optional-locks", // a status must not write the index (the refs watcher sees the folder)
      "status",
      "--porcelain",
      "--untracked-files=all",
      "--ignored=matching",
      "--",
      ...paths,
    ]);
    // the branch may have moved since HEAD was read: compare against the commit itself
    const differs = await git.run(top, [
      "--no-optional-locks",
      "diff",
      "--name-only",
      commit,
      "--",
      ...paths,
    ]);
    return changes.trim() === "" && differs.trim() === "" ? commit : `${commit}+dirty`;
  } catch {
    return `${commit}+dirty`; // cannot tell: never claim the commit for files it may not hold
  }
}

/** The folder holding refs/ and packed-refs (a linked worktree shares its main repository's). */
async function commonGitDir(git: GitRunner, top: string): Promise<string | undefined> {
  try {
    return resolve(top, (await git.run(top, ["rev-parse", "--git-common-dir"])).trim());
  } catch {
    return undefined;
  }
}

function realFolder(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
