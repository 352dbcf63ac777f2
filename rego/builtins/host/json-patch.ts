// json.patch: RFC 6902 patches (add, remove, replace, move, copy, test) applied in order; any
// failing patch makes the call undefined, as in OPA. Paths are JSON pointers (the leading "/" is
// optional, as OPA reads them) or arrays of segments. A segment addresses a set's member by
// value, and a member added to a set must equal its path's last segment.
import { operandError, operandTypeError } from "./errors.ts";
import type { HostBuiltinTable } from "./types.ts";
import { compareValues, equalValues, isObject, RegoSet, setOf, type JsonObject } from "./values.ts";

class PatchFailed extends Error {}

const failed = (why: string): never => {
  throw new PatchFailed(why);
};

function copy(v: unknown): unknown {
  if (v instanceof RegoSet) return setOf(v.map(copy));
  if (Array.isArray(v)) return v.map(copy);
  if (isObject(v)) {
    const out: JsonObject = Object.create(null);
    for (const [k, x] of Object.entries(v)) out[k] = copy(x);
    return out;
  }
  return v;
}

function parsePath(path: unknown): unknown[] {
  if (typeof path === "string") {
    if (path === "") return [];
    return path
      .replace(/^\/+/, "")
      .split("/")
      .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"));
  }
  if (Array.isArray(path)) return path;
  return failed("path must be a string or an array");
}

/** An array index: a canonical non-negative integer (no leading zeros, no exponent). */
function indexOf(segment: unknown, length: number, allowEnd: boolean): number {
  if (segment === "-" && allowEnd) return length;
  let n: number;
  if (typeof segment === "number" && Number.isInteger(segment)) n = segment;
  else if (typeof segment === "string" && /^(0|[1-9]\d*)$/.test(segment)) n = Number(segment);
  else return failed(`invalid array index ${JSON.stringify(segment)}`);
  if (n < 0 || n > (allowEnd ? length : length - 1)) failed("index out of range");
  return n;
}

/** Where the member of `set` equal to `segment` is. */
function memberIndex(set: RegoSet, segment: unknown): number {
  const i = set.findIndex((m) => equalValues(m, segment));
  return i >= 0 ? i : failed("path does not exist");
}

function child(container: unknown, segment: unknown): unknown {
  if (container instanceof RegoSet) return container[memberIndex(container, segment)];
  if (Array.isArray(container)) return container[indexOf(segment, container.length, false)];
  if (isObject(container) && typeof segment === "string" && Object.hasOwn(container, segment)) {
    return container[segment];
  }
  return failed("path does not exist");
}

function get(doc: unknown, path: unknown[]): unknown {
  return path.reduce((node, segment) => child(node, segment), doc);
}

/** Adds `value` to the sorted `set` (or replaces its equal). */
function addMember(set: RegoSet, value: unknown): void {
  const at = set.findIndex((m) => compareValues(m, value) >= 0);
  if (at < 0) set.push(value);
  else if (compareValues(set[at], value) === 0) set[at] = value;
  else set.splice(at, 0, value);
}

/** The document with `value` added at `path` (arrays insert, objects set). */
function add(doc: unknown, path: unknown[], value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = get(doc, path.slice(0, -1));
  const last = path[path.length - 1];
  if (parent instanceof RegoSet) {
    if (!equalValues(last, value)) failed("a set member must equal its path's last segment");
    addMember(parent, value);
  } else if (Array.isArray(parent)) parent.splice(indexOf(last, parent.length, true), 0, value);
  else if (isObject(parent) && typeof last === "string") parent[last] = value;
  else failed("parent is not an object or array");
  return doc;
}

function remove(doc: unknown, path: unknown[]): { doc: unknown; removed: unknown } {
  if (path.length === 0) return failed("cannot remove the whole document");
  const parent = get(doc, path.slice(0, -1));
  const last = path[path.length - 1];
  if (Array.isArray(parent)) {
    const at =
      parent instanceof RegoSet ? memberIndex(parent, last) : indexOf(last, parent.length, false);
    const [removed] = parent.splice(at, 1);
    return { doc, removed };
  }
  if (isObject(parent) && typeof last === "string" && Object.hasOwn(parent, last)) {
    const removed = parent[last];
    delete parent[last];
    return { doc, removed };
  }
  return failed("path does not exist");
}

function member(patch: JsonObject, name: string): unknown {
  if (!Object.hasOwn(patch, name)) failed(`missing '${name}' parameter`);
  return patch[name];
}

function apply(doc: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return failed("a patch must be an object");
  const op = member(patch, "op");
  const path = parsePath(member(patch, "path"));
  switch (op) {
    case "add":
      return add(doc, path, copy(member(patch, "value")));
    case "remove":
      return remove(doc, path).doc;
    case "replace": {
      const value = copy(member(patch, "value"));
      if (path.length === 0) return value;
      return add(remove(doc, path).doc, path, value);
    }
    case "move": {
      const from = parsePath(member(patch, "from"));
      const taken = remove(doc, from);
      return add(taken.doc, path, taken.removed);
    }
    case "copy": {
      const from = parsePath(member(patch, "from"));
      return add(doc, path, copy(get(doc, from)));
    }
    case "test":
      if (!equalValues(get(doc, path), member(patch, "value"))) failed("test failed");
      return doc;
    default:
      return failed(`unrecognized op ${JSON.stringify(op)}`);
  }
}

function jsonPatch([doc, patches]: unknown[]): unknown {
  if (!Array.isArray(patches)) throw operandTypeError(2, patches, "array");
  for (const p of patches) {
    if (!isObject(p)) throw operandError(2, "must be an array of JSON-Patch objects");
  }
  let result = copy(doc);
  try {
    for (const p of patches) result = apply(result, p);
  } catch (err) {
    if (err instanceof PatchFailed) return undefined;
    throw err;
  }
  return result;
}

export const jsonPatchBuiltins: HostBuiltinTable = {
  "json.patch": jsonPatch,
};
