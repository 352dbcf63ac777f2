// The promoted files of an environment at one commit, exported to a folder, and what differs
// between two such exports.
import { readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { exportFolder, type Repository } from "../policy-diff/git-tree.ts";
import type { Environment } from "./config.ts";

/** An environment at a commit: its files live under `root` (`""`: the repository's top level). */
export interface EnvironmentAt {
  env: Environment;
  commit: string;
  /** what names the commit for people: `HEAD`, `origin/main` */
  ref: string;
  root: string;
  /** the promoted folders, relative to `root` (`""`: all of it) */
  paths: string[];
}

export function environmentLayout(env: Environment): { root: string; paths: string[] } {
  return env.kind === "folder"
    ? { root: env.folder, paths: [""] }
    : { root: "", paths: env.paths.map((p) => p.replace(/\/+$/, "")) };
}

/**
 * Exports the promoted folders under `dest` (same layout, relative to the root) and returns those
 * that exist at the commit.
 */
export async function exportEnvironment(
  repo: Repository,
  side: EnvironmentAt,
  dest: string,
): Promise<string[]> {
  const found: string[] = [];
  for (const path of side.paths) {
    const inRepo = posix.join(side.root || ".", path || ".").replace(/^\.$/, "");
    const exported = await exportFolder(
      repo,
      side.commit,
      inRepo,
      path === "" ? dest : join(dest, path),
      `${side.env.name} (${side.ref})`,
      { optional: true },
    );
    if (exported.length > 0) found.push(path);
  }
  return found;
}

export interface FileChange {
  status: "A" | "M" | "D";
  /** relative to the environment's root */
  path: string;
}

/** What applying `source` over `target` changes, file by file (both folders may be missing). */
export function compareTrees(source: string, target: string): FileChange[] {
  const before = listFiles(target);
  const after = listFiles(source);
  const changes: FileChange[] = [];
  for (const path of after) {
    if (!before.has(path)) changes.push({ status: "A", path });
    else if (!readFileSync(join(source, path)).equals(readFileSync(join(target, path))))
      changes.push({ status: "M", path });
  }
  for (const path of before) if (!after.has(path)) changes.push({ status: "D", path });
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Relative paths of the files under `dir` (none when it does not exist). */
export function listFiles(dir: string, prefix = ""): Set<string> {
  const out = new Set<string>();
  let entries;
  try {
    entries = readdirSync(join(dir, prefix), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) for (const f of listFiles(dir, rel)) out.add(f);
    else out.add(rel);
  }
  return out;
}
