// Sees a commit land in a local repository at once: watches the repository's refs/ folder (git
// writes `<ref>.lock` and renames it over the ref; a branch folder such as refs/heads/team/ may
// appear later, so the watch is recursive) and its packed-refs file, and calls back shortly after
// the last change to the followed ref. The sync's poll stays the fallback: a filesystem without
// change events, a reftable repository.
import { watch, type FSWatcher } from "node:fs";
import { join, relative, sep } from "node:path";

export interface RefWatchOptions {
  /** the repository's common git folder (holds refs/ and packed-refs) */
  gitDir: string;
  /** the followed ref, e.g. refs/heads/main */
  ref: string;
  onChange: () => void;
  /** a burst of events (lock, rename, reflog) makes one call this long after the last */
  debounceMs?: number;
  /** told when a folder cannot be watched (the poll covers it) */
  onUnwatchable?: (path: string, error: Error) => void;
}

export interface RefWatch {
  /** how many folders are watched (0: only the poll sees new commits) */
  readonly watching: number;
  close(): void;
}

export function watchRef(options: RefWatchOptions): RefWatch {
  const { gitDir, ref, onChange, debounceMs = 100 } = options;
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
    timer.unref();
  };
  const refsDir = join(gitDir, "refs");
  // names as fs.watch reports them, relative to the watched folder
  const refName = relative(refsDir, join(gitDir, ref)).split("/").join(sep);
  // the ref, its lock, or a folder on its way (created with the ref: its first event may come
  // before the new folder is watched)
  const isRef = (name: string) =>
    name === refName || name === `${refName}.lock` || refName.startsWith(`${name}${sep}`);
  const targets = [
    { dir: refsDir, recursive: true, matches: isRef },
    { dir: gitDir, recursive: false, matches: (name: string) => name === "packed-refs" },
  ];
  const watchers: FSWatcher[] = [];
  for (const { dir, recursive, matches } of targets) {
    try {
      const watcher = watch(dir, { persistent: false, recursive }, (_event, name) => {
        // no name (some platforms): anything in the folder may be the ref
        if (name === null || matches(String(name))) changed();
      });
      watcher.on("error", (e: Error) => {
        watcher.close();
        options.onUnwatchable?.(dir, e);
      });
      watchers.push(watcher);
    } catch (e) {
      options.onUnwatchable?.(dir, e as Error);
    }
  }
  return {
    watching: watchers.length,
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
