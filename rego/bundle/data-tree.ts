// Builds the base `data` document from files that each hold the value at some path under data.

export type DataObject = Record<string, unknown>;

function isObject(v: unknown): v is DataObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Merges `value` into `root` at `path` (e.g. ["roles", "bindings"] => data.roles.bindings).
 * Objects merge key by key; any other collision is an error naming `source`.
 */
export function mergeDataAt(
  root: DataObject,
  path: string[],
  value: unknown,
  source: string,
): void {
  if (path.length === 0) {
    if (!isObject(value)) throw new Error(`${source}: data at the root of data must be an object`);
    mergeObjects(root, value, [], source);
    return;
  }
  let node = root;
  for (const [i, key] of path.slice(0, -1).entries()) {
    const next = node[key];
    if (next === undefined) node[key] = {};
    else if (!isObject(next)) throw conflict(source, path.slice(0, i + 1));
    node = node[key] as DataObject;
  }
  const last = path[path.length - 1]!;
  if (node[last] === undefined) node[last] = value;
  else if (isObject(node[last]) && isObject(value))
    mergeObjects(node[last] as DataObject, value, path, source);
  else throw conflict(source, path);
}

function mergeObjects(into: DataObject, from: DataObject, at: string[], source: string): void {
  for (const [key, value] of Object.entries(from)) {
    const existing = into[key];
    if (existing === undefined) into[key] = value;
    else if (isObject(existing) && isObject(value))
      mergeObjects(existing, value, [...at, key], source);
    else throw conflict(source, [...at, key]);
  }
}

function conflict(source: string, path: string[]): Error {
  return new Error(`${source}: conflicts with other data at data.${path.join(".")}`);
}
