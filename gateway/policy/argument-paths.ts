// File paths in a request, normalized so a policy can compare them with plain prefixes: values of
// path-named arguments (path, paths[], source, destination, file_path, ...) at any depth, and
// file: URIs anywhere (arguments and the resource URI). ".." segments are resolved lexically;
// symbolic links are not (the policy cannot see the upstream's disk; the upstream must check).
import { posix } from "node:path";
import { boundedFacts, type FoundString } from "./argument-walk.ts";
import { urlScheme } from "./argument-urls.ts";

export const MAX_PATH_FACTS = 256;

export interface PathFact {
  /** JSON pointer from input.mcp: "/arguments/paths/1", "/uri" */
  from: string;
  /** "path": a path-named argument's value; "file_uri": a file: URI, decoded */
  kind: "path" | "file_uri";
  /** normalized: ".." and "." resolved, no repeated or trailing "/"; null when unreadable */
  path: string | null;
  absolute: boolean;
  /** why it could not be read; null when it was */
  error: string | null;
}

/** Last words of a member name that make its values paths: filePath, output_file, base-dir. */
const PATH_WORDS = new Set([
  "path",
  "paths",
  "pathname",
  "file",
  "files",
  "filename",
  "filenames",
  "filepath",
  "filepaths",
  "dir",
  "dirs",
  "directory",
  "directories",
  "folder",
  "folders",
]);
/** Whole member names that are paths. */
const PATH_NAMES = new Set([
  "source",
  "sources",
  "destination",
  "destinations",
  "src",
  "dst",
  "dest",
  "root",
  "roots",
  "cwd",
  "workdir",
]);

/** Whether a member's name says it holds paths: its last word (camelCase, snake_case, kebab-case)
 * is a path word, or the whole name is one of the usual path names. */
export function isPathName(name: string): boolean {
  let known = pathNames.get(name);
  if (known === undefined) {
    known = readsAsPath(name);
    if (pathNames.size >= MAX_REMEMBERED_NAMES) pathNames.clear();
    pathNames.set(name, known);
  }
  return known;
}

/** member names seen before (tools use the same few), so each is split into words once */
const pathNames = new Map<string, boolean>();
const MAX_REMEMBERED_NAMES = 1024;

function readsAsPath(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[\s_.-]+/)
    .filter((w) => w !== "");
  const last = words.at(-1);
  return last !== undefined && (PATH_WORDS.has(last) || PATH_NAMES.has(words.join("")));
}

type Normalized = Pick<PathFact, "path" | "absolute" | "error">;

function normalized(path: string): Normalized {
  if (path.includes("\u0000"))
    return { path: null, absolute: false, error: "it contains a NUL character" };
  let result = posix.normalize(path);
  if (result.length > 1 && result.endsWith("/")) result = result.slice(0, -1);
  return { path: result, absolute: posix.isAbsolute(result), error: null };
}

/** A file: URI's path, percent-decoded, as the file it names on the upstream's machine. */
function fileUriPath(uri: string): Normalized {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { path: null, absolute: false, error: "the URL parser rejects this file: URI" };
  }
  if (url.hostname !== "" && url.hostname !== "localhost")
    return { path: null, absolute: false, error: `it names a file on host ${url.hostname}` };
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return { path: null, absolute: false, error: "it holds an invalid percent-encoding" };
  }
  return normalized(decoded);
}

function pathFact(found: FoundString): PathFact | null {
  if (urlScheme(found.value) === "file")
    return { from: found.pointer, kind: "file_uri", ...fileUriPath(found.value) };
  if (found.key !== null && isPathName(found.key))
    return { from: found.pointer, kind: "path", ...normalized(found.value) };
  return null;
}

/** A fact that says what could not be checked, so a policy can refuse it. */
export function uncheckedPaths(from: string, why: string): PathFact {
  return { from, kind: "path", path: null, absolute: false, error: why };
}

export function pathFacts(strings: readonly FoundString[]): PathFact[] {
  return boundedFacts(strings, MAX_PATH_FACTS, "paths", pathFact, uncheckedPaths);
}
