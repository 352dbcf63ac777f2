// walk(x): every node of x with its path, as an array of [path, value] pairs in pre-order
// (the planner iterates the array: `walk` is a relation in rego/builtins/registry.ts).
import { Value, TAG_ARRAY, TAG_OBJECT, TAG_SET, tagOf, makeInt, newArray, arrayAppend, arrayLength,
  arrayGet, objectLength, objectKey, objectValue } from "../value";

function pathWith(path: Value, key: Value): Value {
  const n = arrayLength(path);
  const out = newArray(n + 1);
  for (let i = 0; i < n; i++) arrayAppend(out, arrayGet(path, i));
  arrayAppend(out, key);
  return out;
}

function visit(out: Value, path: Value, v: Value): void {
  const pair = newArray(2);
  arrayAppend(pair, path);
  arrayAppend(pair, v);
  arrayAppend(out, pair);
  switch (tagOf(v)) {
    case TAG_ARRAY: {
      const n = arrayLength(v);
      for (let i = 0; i < n; i++) visit(out, pathWith(path, makeInt(i)), arrayGet(v, i));
      break;
    }
    case TAG_SET: {
      const n = arrayLength(v);
      for (let i = 0; i < n; i++) visit(out, pathWith(path, arrayGet(v, i)), arrayGet(v, i));
      break;
    }
    case TAG_OBJECT: {
      const n = objectLength(v);
      for (let i = 0; i < n; i++) visit(out, pathWith(path, objectKey(v, i)), objectValue(v, i));
      break;
    }
  }
}

export function builtin$walk(x: Value): Value {
  if (x == 0) return 0;
  const out = newArray(8);
  visit(out, newArray(0), x);
  return out;
}
