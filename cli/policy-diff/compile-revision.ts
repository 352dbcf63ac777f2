// Compiles the policy folder of one revision (a commit, or the work tree) into a Replayer.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { RegoError, type RegoIssue } from "../../rego/errors.ts";
import { CliError } from "../failure.ts";
import { exportFolder, joinPath, type Repository } from "./git-tree.ts";
import type { Replayer } from "./replay.ts";

export interface CompiledRevision {
  replayer: Replayer;
  /** the policy revision the engine reports (a digest of the compiled module and data) */
  digest: string;
}

/**
 * `commit` undefined means the work tree's folder as it is on disk. `label` names the revision in
 * messages (`main`, `work tree`): a broken module is reported as `<label>:policies/x.rego:3:1: ...`.
 */
export async function compileRevision(
  repo: Repository,
  commit: string | undefined,
  folder: string,
  label: string,
): Promise<CompiledRevision> {
  if (commit === undefined) return compileFolder(joinPath(repo.root, folder), repo.root, label);
  const scratch = mkdtempSync(join(tmpdir(), "gatehouse-diff-"));
  try {
    const dir = join(scratch, "tree");
    await exportFolder(repo, commit, folder, joinPath(dir, folder), label);
    return await compileFolder(joinPath(dir, folder), dir, label);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Compiles `dir`; file paths in errors are shown relative to `root`, after `label:`. */
export async function compileFolder(
  dir: string,
  root: string,
  label: string,
): Promise<CompiledRevision> {
  // the engine loads the Rego toolchain: imported only when something is compiled
  const { PolicyEngine } = await import("../../gateway/policy/engine.ts");
  const rename = (path: string) =>
    path.startsWith(root + sep) ? `${label}:${path.slice(root.length + 1)}` : path;
  let clock = 0n;
  let engine;
  try {
    engine = await PolicyEngine.fromDirectories([dir], { now: () => clock });
  } catch (e) {
    if (e instanceof RegoError) {
      throw new RegoError(
        e.issues.map((issue): RegoIssue =>
          issue.location
            ? { ...issue, location: { ...issue.location, file: rename(issue.location.file) } }
            : issue,
        ),
      );
    }
    const message = (e as Error).message ?? String(e);
    throw new CliError(
      `${label}: cannot compile the policies: ${message.split(root + sep).join(`${label}:`)}`,
    );
  }
  const policy = engine;
  return {
    digest: policy.revision,
    replayer: {
      decide(input, at) {
        clock = BigInt((at ?? new Date()).getTime()) * 1_000_000n;
        const decision = policy.decide(input);
        const listed = (input as { list?: unknown }).list !== undefined;
        return {
          allow: decision.allow,
          reasons: decision.reasons,
          ...(listed && { visible: decision.visible_tools }),
        };
      },
    },
  };
}
