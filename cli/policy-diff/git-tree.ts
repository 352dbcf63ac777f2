// Reads folders of a Git repository at a given revision, with simple-git (argument arrays, no shell),
// so two revisions of a policy folder can be compiled side by side without touching the checkout.
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";
import { CliError } from "../failure.ts";

/** A folder exported from one revision holds at most this many files and bytes. */
export const MAX_TREE_FILES = 5000;
export const MAX_TREE_BYTES = 64 * 1024 * 1024;

export interface Repository {
  git: SimpleGit;
  /** absolute path of the work tree's top level */
  root: string;
}

/** The repository holding `dir` (any folder inside its work tree). */
export async function openRepository(dir: string): Promise<Repository> {
  const path = resolve(dir);
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) throw new CliError(`${path}: no such folder (pass --repo <path>)`);
  let root: string;
  try {
    root = (await simpleGit(path).raw(["rev-parse", "--show-toplevel"])).trim();
  } catch {
    root = "";
  }
  if (root === "") {
    throw new CliError(
      `${path}: not inside a git work tree: run the command in the policy repository or pass --repo <path>`,
    );
  }
  return { git: simpleGit(root), root };
}

/** The full commit id `ref` names (branch, tag, remote branch, sha, `HEAD~1`...). */
export async function resolveCommit(repo: Repository, ref: string, what: string): Promise<string> {
  if (ref === "" || ref.startsWith("-")) {
    throw new CliError(`${what} ${JSON.stringify(ref)}: not a git revision name`);
  }
  try {
    const sha = await repo.git.raw([
      "rev-parse",
      "--verify",
      "--quiet",
      "--end-of-options",
      `${ref}^{commit}`,
    ]);
    if (/^[0-9a-f]{40,64}$/.test(sha.trim())) return sha.trim();
  } catch {
    // reported below
  }
  throw new CliError(
    `${what} ${ref}: no such commit, branch or tag in ${repo.root} (check the name, or fetch it first: git fetch origin ${ref})`,
  );
}

interface TreeEntry {
  mode: string;
  object: string;
  /** path relative to the exported folder, slash separated */
  path: string;
}

/** `git ls-tree -r` of `folder` (relative to the top level; "" for all) at `commit`. */
async function listTree(repo: Repository, commit: string, folder: string): Promise<TreeEntry[]> {
  const prefix = folder === "" ? "" : `${folder.replace(/\/+$/, "")}/`;
  const args = ["ls-tree", "-r", "-z", "--full-tree", commit];
  if (prefix !== "") args.push("--", prefix);
  const out = await repo.git.raw(args);
  const entries: TreeEntry[] = [];
  for (const record of out.split("\0")) {
    if (record === "") continue;
    const tab = record.indexOf("\t");
    const [mode, type, object] = record.slice(0, tab).split(" ");
    const full = record.slice(tab + 1);
    // symbolic links and submodules hold no policy content; a link could point outside the export
    if (type !== "blob" || mode === "120000" || !full.startsWith(prefix)) continue;
    entries.push({ mode: mode!, object: object!, path: full.slice(prefix.length) });
    if (entries.length > MAX_TREE_FILES) {
      throw new CliError(
        `${folder || "the repository"} at ${commit.slice(0, 12)} holds more than ${MAX_TREE_FILES} files: point at the policy folder`,
      );
    }
  }
  return entries;
}

/** Whether `folder` exists (as a folder with files) at `commit`. */
export async function folderExists(
  repo: Repository,
  commit: string,
  folder: string,
): Promise<boolean> {
  return (await listTree(repo, commit, folder)).length > 0;
}

/**
 * Writes the files of `folder` at `commit` under `dest` and returns their relative paths.
 * Throws a CliError naming the revision when the folder does not exist there (unless `optional`).
 */
export async function exportFolder(
  repo: Repository,
  commit: string,
  folder: string,
  dest: string,
  label: string,
  options: { optional?: boolean } = {},
): Promise<string[]> {
  const entries = await listTree(repo, commit, folder);
  if (entries.length === 0 && !options.optional) {
    throw new CliError(
      `${label}: the folder ${folder || "/"} does not exist at this revision (or holds no files)`,
    );
  }
  const root = resolve(dest);
  let bytes = 0;
  for (const entry of entries) {
    const target = resolve(root, entry.path);
    if (relative(root, target).startsWith(`..${sep}`) || target === root) {
      throw new CliError(`${label}: refusing the tree entry ${JSON.stringify(entry.path)}`);
    }
    const content: Buffer = await repo.git.binaryCatFile(["blob", entry.object]);
    bytes += content.byteLength;
    if (bytes > MAX_TREE_BYTES) {
      throw new CliError(
        `${label}: ${folder || "the repository"} holds more than ${MAX_TREE_BYTES} bytes: point at the policy folder`,
      );
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content, { mode: entry.mode === "100755" ? 0o755 : 0o644 });
  }
  return entries.map((e) => e.path);
}

/** `git diff --name-status` of `folder` between `base` and `head` (the work tree when undefined). */
export async function changedFiles(
  repo: Repository,
  base: string,
  head: string | undefined,
  folder: string,
): Promise<{ status: string; path: string }[]> {
  const args = ["diff", "--name-status", "--no-renames", "-z", base];
  if (head !== undefined) args.push(head);
  args.push("--", folder === "" ? "." : folder);
  const fields = (await repo.git.raw(args)).split("\0").filter((f) => f !== "");
  const changes: { status: string; path: string }[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    changes.push({ status: fields[i]!, path: fields[i + 1]! });
  }
  if (head === undefined) {
    // files not yet added to git are part of the work tree's policy too
    const untracked = await repo.git.raw([
      "ls-files",
      "--others",
      "--exclude-standard",
      "-z",
      "--",
      folder === "" ? "." : folder,
    ]);
    for (const path of untracked.split("\0")) if (path !== "") changes.push({ status: "A", path });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function joinPath(root: string, folder: string): string {
  return folder === "" ? root : join(root, folder);
}
