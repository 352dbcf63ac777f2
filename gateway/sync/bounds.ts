// What a commit may hold under its catalog and policy folders before anything is written to disk:
// regular files only (no symlinks out of the checkout, no submodules), and bounded in count and size.
import type { SyncLimits } from "./config.ts";
import type { TreeEntry } from "./mirror.ts";

/** One line per problem; empty when the tree is within bounds. */
export function treeProblems(entries: TreeEntry[], limits: SyncLimits): string[] {
  const problems: string[] = [];
  if (entries.length > limits.maxFiles) {
    problems.push(
      `${entries.length} files under the catalog and policy folders, more than the limit of ${limits.maxFiles} (sync.limits.maxFiles)`,
    );
  }
  let total = 0;
  for (const entry of entries) {
    if (entry.mode === "120000") {
      problems.push(`${entry.path}: symbolic links are not accepted; commit the file itself`);
    } else if (entry.type !== "blob") {
      problems.push(`${entry.path}: a ${entry.type} (submodule) is not accepted`);
    } else if (entry.size > limits.maxFileBytes) {
      problems.push(
        `${entry.path}: ${entry.size} bytes, more than the limit of ${limits.maxFileBytes} (sync.limits.maxFileBytes)`,
      );
    }
    total += Math.max(entry.size, 0);
    if (problems.length >= 20) {
      problems.push("... (further problems not listed)");
      return problems;
    }
  }
  if (total > limits.maxTotalBytes) {
    problems.push(
      `${total} bytes in all, more than the limit of ${limits.maxTotalBytes} (sync.limits.maxTotalBytes)`,
    );
  }
  return problems;
}
