// A bare clone of the sync source in the data folder, fetched on demand. A cache that is not a
// repository of that source, or that git cannot fetch into while the remote answers, is cloned
// again; a remote that does not answer leaves the cache (and the active revision) alone.
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { GitCommandError, type GitRunner } from "./git.ts";

export type SourceRef = { kind: "branch" | "tag"; name: string } | { kind: "default" };

/** One file of a commit's tree, as `git ls-tree -l` lists it. */
export interface TreeEntry {
  mode: string;
  type: string;
  object: string;
  /** bytes; -1 for entries that are not blobs */
  size: number;
  path: string;
}

/** The source could not be fetched (unreachable, authentication, no such branch). */
export class FetchError extends Error {
  override name = "FetchError";
}

export class GitMirror {
  private ref: { kind: "branch" | "tag"; name: string } | undefined;
  private suspect = false;
  /** the cache was checked (or made) in this process: later fetches skip the check */
  private checked = false;

  constructor(
    /** folder of this source's cache */
    private readonly cacheDir: string,
    /** URL or absolute path of the repository */
    readonly url: string,
    wanted: SourceRef,
    private readonly git: GitRunner,
  ) {
    if (wanted.kind !== "default") this.ref = wanted;
  }

  get repoDir(): string {
    return join(this.cacheDir, "repo.git");
  }

  /** What is followed, e.g. "branch main" (known once the default branch was looked up). */
  describeRef(): string {
    return this.ref ? `${this.ref.kind} ${this.ref.name}` : "the default branch";
  }

  /** e.g. refs/heads/main; undefined until the default branch is known */
  fullRefName(): string | undefined {
    return this.ref ? fullRef(this.ref) : undefined;
  }

  /** The next fetch clones again (something read from the cache failed). */
  markSuspect(): void {
    this.suspect = true;
  }

  /** Fetches the followed ref and returns the commit it points to. */
  async fetch(): Promise<string> {
    mkdirSync(this.cacheDir, { recursive: true });
    if (this.suspect || !(this.checked || (await this.isUsableClone()))) await this.cloneFresh();
    else {
      try {
        await this.fetchRef();
      } catch (e) {
        if (!(e instanceof GitCommandError)) throw e;
        await this.probeRemote(); // throws FetchError when the remote is the problem
        await this.cloneFresh(); // the remote answers: the cache is broken
      }
    }
    this.suspect = false;
    this.checked = true;
    return this.resolve();
  }

  /** The followed ref's commit as the cache last saw it, without fetching (undefined: no usable cache). */
  async cachedHead(): Promise<string | undefined> {
    if (!(await this.isUsableClone())) return undefined;
    try {
      if (!this.ref) await this.learnDefaultBranch(this.repoDir);
      return await this.resolve();
    } catch {
      return undefined;
    }
  }

  /** Every blob under `paths` at `commit` (symlinks and submodules included, for the bounds). */
  async tree(commit: string, paths: string[]): Promise<TreeEntry[]> {
    const out = await this.git.run(this.repoDir, [
      "ls-tree",
      "-r",
      "-z",
      "-l",
      "--full-tree",
      commit,
      "--",
      ...paths,
    ]);
    const entries: TreeEntry[] = [];
    for (const record of out.split("\0")) {
      if (record === "") continue;
      const tab = record.indexOf("\t");
      const [mode, type, object, size] = record.slice(0, tab).split(/ +/);
      entries.push({
        mode: mode!,
        type: type!,
        object: object!,
        size: size === "-" ? -1 : Number(size),
        path: record.slice(tab + 1),
      });
    }
    return entries;
  }

  /** Writes `paths` as of `commit` into `into` (a fresh folder), using a private index file. */
  async extract(commit: string, paths: string[], into: string): Promise<void> {
    mkdirSync(into, { recursive: true });
    await this.git.run(
      this.repoDir,
      [`--work-tree=${into}`, "checkout", "--force", commit, "--", ...paths],
      { GIT_INDEX_FILE: join(into, ".gatehouse-index") },
    );
    rmSync(join(into, ".gatehouse-index"), { force: true });
  }

  /** `git verify-commit`: throws GitCommandError with git's reason when the signature is not allowed. */
  async verifyCommit(
    commit: string,
    verify: { allowedSigners?: string; gpgHome?: string },
  ): Promise<void> {
    const args: string[] = [];
    if (verify.allowedSigners)
      args.push("-c", `gpg.ssh.allowedSignersFile=${verify.allowedSigners}`);
    args.push("verify-commit", commit);
    await this.git.run(this.repoDir, args, verify.gpgHome ? { GNUPGHOME: verify.gpgHome } : {});
  }

  private refspec(ref: { kind: "branch" | "tag"; name: string }): string {
    const full = fullRef(ref);
    return `+${full}:${full}`;
  }

  private async isUsableClone(): Promise<boolean> {
    if (!existsSync(this.repoDir)) return false;
    try {
      const bare = await this.git.run(this.repoDir, ["rev-parse", "--is-bare-repository"]);
      const url = await this.git.run(this.repoDir, ["config", "--get", "remote.origin.url"]);
      return bare.trim() === "true" && url.trim() === this.url;
    } catch {
      return false;
    }
  }

  private async cloneFresh(): Promise<void> {
    const fresh = join(this.cacheDir, `clone-${process.pid}-${Date.now()}`);
    const args = ["clone", "--bare", "--quiet"];
    if (this.ref) args.push("--single-branch", "--branch", this.ref.name);
    // "--" keeps a URL or path that starts with "-" from being read as an option
    args.push("--", this.url, fresh);
    try {
      await this.git.run(this.cacheDir, args);
      if (!this.ref) await this.learnDefaultBranch(fresh);
    } catch (e) {
      rmSync(fresh, { recursive: true, force: true });
      throw e instanceof GitCommandError ? new FetchError(e.message) : e;
    }
    rmSync(this.repoDir, { recursive: true, force: true });
    renameSync(fresh, this.repoDir);
  }

  private async fetchRef(): Promise<void> {
    const ref = this.ref ?? (await this.learnDefaultBranch(this.repoDir));
    await this.git.run(this.repoDir, [
      "fetch",
      "--quiet",
      "--no-tags",
      "--force",
      "origin",
      this.refspec(ref),
    ]);
  }

  /** A bare clone's HEAD names the remote's default branch. */
  private async learnDefaultBranch(repo: string): Promise<{ kind: "branch"; name: string }> {
    const head = await this.git.run(repo, ["symbolic-ref", "--short", "HEAD"]);
    const ref = { kind: "branch" as const, name: head.trim() };
    this.ref = ref;
    return ref;
  }

  private async probeRemote(): Promise<void> {
    try {
      await this.git.run(this.cacheDir, ["ls-remote", "--", this.url, "HEAD"]);
    } catch (e) {
      throw e instanceof GitCommandError ? new FetchError(e.message) : e;
    }
  }

  private async resolve(): Promise<string> {
    const ref = this.ref!;
    try {
      const sha = await this.git.run(this.repoDir, [
        "rev-parse",
        "--verify",
        "--quiet",
        `${fullRef(ref)}^{commit}`,
      ]);
      return sha.trim();
    } catch {
      throw new FetchError(`${this.describeRef()} does not exist in the repository`);
    }
  }
}

function fullRef(ref: { kind: "branch" | "tag"; name: string }): string {
  return ref.kind === "branch" ? `refs/heads/${ref.name}` : `refs/tags/${ref.name}`;
}
