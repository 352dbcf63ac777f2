// The activation pipeline for one commit: bounds, signature, checkout of exactly that commit,
// catalog validation, policy compilation, the repository's own Rego tests. It returns the state to
// activate, or throws RevisionRefused naming the stage and every problem (paths as in the repo).
import { rmSync } from "node:fs";
import { join, posix } from "node:path";
import { loadCatalog, CatalogError } from "../catalog/index.ts";
import type { EgressPolicy } from "../egress/index.ts";
import { messageOf, PolicyEngine } from "../policy/engine.ts";
import { policyLimitOptions, type PolicyLimitsConfig } from "../policy/config.ts";
import type { ActiveState } from "../gateway.ts";
import { treeProblems } from "./bounds.ts";
import { policyCompiler } from "./compile.ts";
import type { SyncLimits, SyncVerify } from "./config.ts";
import { GitCommandError } from "./git.ts";
import type { GitMirror } from "./mirror.ts";

export type Stage = "bounds" | "signature" | "checkout" | "catalog" | "policy" | "tests";

/** Where the catalog and policy folders are inside the repository (posix, relative). */
export interface RepoLayout {
  catalogDir: string;
  policyDirs: string[];
}

export class RevisionRefused extends Error {
  override name = "RevisionRefused";
  constructor(
    readonly stage: Stage,
    readonly problems: string[],
    /** the cache itself failed (not the commit's content): worth another try after a re-clone */
    readonly cacheFault = false,
  ) {
    super(`${stage}: ${problems.join("\n")}`);
  }
}

export interface PreparedRevision {
  state: ActiveState;
  /** the folder the commit was checked out to (kept while the revision is active) */
  dir: string;
  /** milliseconds per stage */
  timings: Partial<Record<Stage, number>>;
}

export interface PipelineOptions {
  limits: SyncLimits;
  verify: SyncVerify;
  /** parent folder of per-commit checkouts */
  checkoutsDir: string;
  compileTimeoutMs: number;
  /** the gateway's egress rules, which the catalog's URLs must pass */
  egress: EgressPolicy;
  /** budget and memory cap of the revision's policy (config `policy`); defaults when absent */
  policyLimits?: PolicyLimitsConfig;
}

export async function prepareRevision(
  mirror: GitMirror,
  commit: string,
  layout: RepoLayout,
  options: PipelineOptions,
): Promise<PreparedRevision> {
  const timings: Partial<Record<Stage, number>> = {};
  const timed = async <T>(stage: Stage, work: () => Promise<T> | T): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings[stage] = Math.round(performance.now() - started);
    }
  };
  const paths = [layout.catalogDir, ...layout.policyDirs];

  await timed("bounds", async () => {
    const entries = await readGit("bounds", () => mirror.tree(commit, paths));
    const problems = treeProblems(entries, options.limits);
    if (problems.length > 0) throw new RevisionRefused("bounds", problems);
  });

  if (options.verify.allowedSigners || options.verify.gpgHome) {
    await timed("signature", async () => {
      try {
        await mirror.verifyCommit(commit, options.verify);
      } catch (e) {
        throw new RevisionRefused("signature", [
          `commit ${commit} is not signed by an allowed key: ${messageOf(e)}`,
        ]);
      }
    });
  }

  const dir = join(options.checkoutsDir, commit);
  rmSync(dir, { recursive: true, force: true });
  try {
    await timed("checkout", () => readGit("checkout", () => mirror.extract(commit, paths, dir)));
    const inRepo = (text: string) => text.split(`${dir}/`).join("");
    const catalog = await timed("catalog", () => {
      try {
        return loadCatalog(join(dir, layout.catalogDir), { egress: options.egress });
      } catch (e) {
        if (e instanceof CatalogError) throw new RevisionRefused("catalog", e.problems.map(inRepo));
        throw new RevisionRefused("catalog", [inRepo(messageOf(e))]);
      }
    });
    // compile and test off the event loop; the engine loads the bundle the worker built
    const compiled = await policyCompiler.compile(
      layout.policyDirs.map((d) => join(dir, d)),
      options.compileTimeoutMs,
    );
    if (!compiled.ok) throw new RevisionRefused(compiled.stage, compiled.problems.map(inRepo));
    Object.assign(timings, compiled.timings);
    const limits = options.policyLimits ? policyLimitOptions(options.policyLimits) : {};
    const policy = await PolicyEngine.fromBundle(compiled.bundle, {
      revision: commit,
      ...limits,
    }).catch((e: unknown) => {
      throw new RevisionRefused("policy", [messageOf(e)]);
    });
    return { state: { catalog, policy }, dir, timings };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** A git failure while reading the commit is the cache's fault, not the commit's. */
async function readGit<T>(stage: Stage, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof GitCommandError) throw new RevisionRefused(stage, [e.message], true);
    throw e;
  }
}

/** `a/b` + `c` as a repository path (posix separators, no leading ./). */
export function repoPath(subdir: string, path: string): string {
  return posix.normalize(posix.join(subdir || ".", path)).replace(/^\.\/?$/, ".");
}
