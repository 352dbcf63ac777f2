// `gatehouse policy diff`: what a policy change would do to recorded traffic. Compiles the policy
// folder at two revisions and replays every recorded decision input against both.
import { resolve } from "node:path";
import { CliError } from "../failure.ts";
import { compileFolder, compileRevision, type CompiledRevision } from "./compile-revision.ts";
import { openDecisionSource, type SourceOptions } from "./decision-source.ts";
import { changedFiles, openRepository, resolveCommit, type Repository } from "./git-tree.ts";
import { emptyReplay, replayDecisions, type ReplayResult } from "./replay.ts";
import type { DiffSummary } from "./report.ts";

export { formatDiff, DIFF_FORMATS, type DiffFormat, type DiffSummary } from "./report.ts";
export { exportFolder, openRepository, resolveCommit, type Repository } from "./git-tree.ts";
export { compileFolder } from "./compile-revision.ts";
export type { ReplayResult, DecisionChange, ChangeGroup, ChangeCounts } from "./replay.ts";

export interface DiffOptions {
  /** a folder inside the repository (default the current directory) */
  repo?: string;
  base: string;
  /** undefined: the work tree as it is on disk */
  head?: string;
  /** policy folder relative to the repository's top level */
  policies?: string;
  /** a .jsonl export, an audit SQLite file or a postgres:// URL; undefined: compile only */
  decisions?: string;
  /** PostgreSQL schema of the audit tables */
  schema?: string;
}

export interface RevisionInfo {
  ref: string;
  /** undefined for the work tree */
  commit?: string;
  /** digest of the compiled policy, as the gateway reports it for the same files */
  policyRevision: string;
}

export interface DiffReport extends ReplayResult {
  policies: string;
  base: RevisionInfo;
  head: RevisionInfo;
  /** the --decisions argument, credentials removed; undefined when none was given */
  decisions?: string;
  /** files of the policy folder that differ between the revisions (git diff --name-status) */
  changedFiles: { status: string; path: string }[];
}

export const DIFF_EXIT = { unchanged: 0, error: 2, changed: 3 } as const;

export async function diffPolicies(options: DiffOptions): Promise<DiffReport> {
  const repo = await openRepository(options.repo ?? ".");
  const policies = normalizeFolder(options.policies ?? "policies");
  const baseCommit = await resolveCommit(repo, options.base, "--base");
  const headCommit =
    options.head === undefined ? undefined : await resolveCommit(repo, options.head, "--head");
  const headRef = options.head ?? "work tree";
  const source =
    options.decisions === undefined
      ? undefined
      : await openDecisionSource(options.decisions, { schema: options.schema });
  try {
    const base = await compileRevision(repo, baseCommit, policies, options.base);
    const head = await compileRevision(repo, headCommit, policies, headRef);
    const replay = source
      ? await replayDecisions(base.replayer, head.replayer, source.records())
      : emptyReplay();
    return {
      ...replay,
      policies,
      base: { ref: options.base, commit: baseCommit, policyRevision: base.digest },
      head: { ref: headRef, commit: headCommit, policyRevision: head.digest },
      decisions: source?.label,
      changedFiles: await changedFiles(repo, baseCommit, headCommit, policies),
    };
  } finally {
    await source?.close();
  }
}

/** Compares two policy folders on disk (promote: the target and the source environment). */
export async function diffFolders(
  base: { dir: string; label: string },
  head: { dir: string; label: string },
  decisions: string | undefined,
  sourceOptions: SourceOptions = {},
): Promise<ReplayResult & { decisions?: string }> {
  const source =
    decisions === undefined ? undefined : await openDecisionSource(decisions, sourceOptions);
  try {
    const [before, after]: CompiledRevision[] = [
      await compileFolder(base.dir, resolve(base.dir, ".."), base.label),
      await compileFolder(head.dir, resolve(head.dir, ".."), head.label),
    ];
    const replay = source
      ? await replayDecisions(before.replayer, after.replayer, source.records())
      : emptyReplay();
    return { ...replay, decisions: source?.label };
  } finally {
    await source?.close();
  }
}

/** The report with each revision named as `ref (short sha)`, for printing. */
export function summaryOf(report: DiffReport): DiffSummary {
  const name = (r: RevisionInfo) => (r.commit ? `${r.ref} (${r.commit.slice(0, 8)})` : r.ref);
  return { ...report, baseLabel: name(report.base), headLabel: name(report.head) };
}

/** `./policies/` -> `policies`; refuses paths that leave the repository. */
export function normalizeFolder(folder: string): string {
  const parts = folder
    .split(/[\\/]+/)
    .filter((p) => p !== "" && p !== ".")
    .join("/");
  if (parts.split("/").includes("..") || folder.startsWith("/")) {
    throw new CliError(
      `--policies ${folder}: give a folder inside the repository, relative to its top level`,
    );
  }
  return parts;
}
