// Object builtins: object.get object.keys object.union object.union_n object.remove object.filter
// object.subset json.filter json.remove.
import {
  Value, TAG_NULL, TAG_ARRAY, TAG_OBJECT, TAG_SET, TAG_STRING, tagOf, makeBoolean, makeNull,
  newArray, arrayAppend, arrayLength, arrayGet, newObject, objectInsert, objectGet, objectLength,
  objectKey, objectValue, objectCopy, newSet, setAdd, setContains, setLength, setGet, stringData,
  stringLength, numberAsInt, numberToI64, typeName,
} from "../value";
import { equal } from "../compare";
import { bufNew, bufInt, bufToString, bufByte } from "../buf";
import { typeError, typeErrorMessage } from "../errors";
import { rt_dot } from "../rt";
import { charge } from "../fuel";

export function builtin$object$get(obj: Value, key: Value, fallback: Value): Value {
  if (obj == 0 || key == 0 || fallback == 0) return 0;
  if (tagOf(obj) != TAG_OBJECT) return typeError("object.get", 1, "object", obj);
  if (tagOf(key) != TAG_ARRAY) {
    const found = objectGet(obj, key);
    return found != 0 ? found : fallback;
  }
  let cur = obj;
  const n = arrayLength(key);
  for (let i = 0; i < n && cur != 0; i++) cur = rt_dot(cur, arrayGet(key, i));
  return cur != 0 ? cur : fallback;
}


export function builtin$object$keys(obj: Value): Value {
  if (obj == 0) return 0;
  if (tagOf(obj) != TAG_OBJECT) return typeError("object.keys", 1, "object", obj);
  const out = newSet();
  const n = objectLength(obj);
  for (let i = 0; i < n; i++) setAdd(out, objectKey(obj, i));
  return out;
}

/** a with b's entries; nested objects on both sides merge recursively, else b wins. */
function unionOverwrite(a: Value, b: Value): Value {
  const out = objectCopy(a);
  const n = objectLength(b);
  for (let i = 0; i < n; i++) {
    const k = objectKey(b, i);
    const bv = objectValue(b, i);
    const av = objectGet(out, k);
    if (av != 0 && tagOf(av) == TAG_OBJECT && tagOf(bv) == TAG_OBJECT) objectInsert(out, k, unionOverwrite(av, bv));
    else objectInsert(out, k, bv);
  }
  return out;
}

export function builtin$object$union(a: Value, b: Value): Value {
  if (a == 0 || b == 0) return 0;
  if (tagOf(a) != TAG_OBJECT) return typeError("object.union", 1, "object", a);
  if (tagOf(b) != TAG_OBJECT) return typeError("object.union", 2, "object", b);
  return unionOverwrite(a, b);
}

export function builtin$object$union_n(xs: Value): Value {
  if (xs == 0) return 0;
  if (tagOf(xs) != TAG_ARRAY) return typeError("object.union_n", 1, "array", xs);
  let acc = newObject();
  const n = arrayLength(xs);
  for (let i = 0; i < n; i++) {
    const o = arrayGet(xs, i);
    if (tagOf(o) != TAG_OBJECT) return typeErrorMessage("object.union_n", "operand 1 must be array of objects");
    acc = unionOverwrite(acc, o);
  }
  return acc;
}

/** The keys named by an array, set or object (its keys), as a set; 0 after a type error. */
function keySet(name: string, keys: Value): Value {
  const out = newSet();
  switch (tagOf(keys)) {
    case TAG_ARRAY:
    case TAG_SET: {
      const n = arrayLength(keys);
      for (let i = 0; i < n; i++) setAdd(out, arrayGet(keys, i));
      return out;
    }
    case TAG_OBJECT: {
      const n = objectLength(keys);
      for (let i = 0; i < n; i++) setAdd(out, objectKey(keys, i));
      return out;
    }
  }
  return typeError(name, 2, "object, set, array", keys);
}

function selectKeys(obj: Value, keys: Value, keep: bool): Value {
  const out = newObject();
  const n = objectLength(obj);
  for (let i = 0; i < n; i++) {
    const k = objectKey(obj, i);
    if (setContains(keys, k) == keep) objectInsert(out, k, objectValue(obj, i));
  }
  return out;
}

export function builtin$object$remove(obj: Value, keys: Value): Value {
  if (obj == 0 || keys == 0) return 0;
  if (tagOf(obj) != TAG_OBJECT) return typeError("object.remove", 1, "object", obj);
  const set = keySet("object.remove", keys);
  return set == 0 ? 0 : selectKeys(obj, set, false);
}

export function builtin$object$filter(obj: Value, keys: Value): Value {
  if (obj == 0 || keys == 0) return 0;
  if (tagOf(obj) != TAG_OBJECT) return typeError("object.filter", 1, "object", obj);
  const set = keySet("object.filter", keys);
  return set == 0 ? 0 : selectKeys(obj, set, true);
}

// ---- object.subset ----

function setSubset(sup: Value, sub: Value): bool {
  const n = setLength(sub);
  charge(<i64>n);
  for (let i = 0; i < n; i++) if (!setContains(sup, setGet(sub, i))) return false;
  return true;
}

/** sub appears as a contiguous run in sup. */
function arraySubset(sup: Value, sub: Value): bool {
  const n = arrayLength(sup);
  const m = arrayLength(sub);
  if (m > n) return false;
  for (let start = 0; start + m <= n; start++) {
    let j = 0;
    while (j < m && equal(arrayGet(sup, start + j), arrayGet(sub, j))) j++;
    charge(<i64>j + 1); // elements compared, scalars included (compare charges collections only)
    if (j == m) return true;
  }
  return false;
}

function arraySetSubset(sup: Value, sub: Value): bool {
  let unmatched = setLength(sub);
  const n = arrayLength(sup);
  charge(<i64>n);
  for (let i = 0; i < n; i++) {
    if (setContains(sub, arrayGet(sup, i))) unmatched--;
    if (unmatched <= 0) return true;
  }
  return false;
}

function objectSubset(sup: Value, sub: Value): bool {
  const n = objectLength(sub);
  for (let i = 0; i < n; i++) {
    const supValue = objectGet(sup, objectKey(sub, i));
    if (supValue == 0) return false;
    const subValue = objectValue(sub, i);
    if (equal(supValue, subValue)) continue;
    const ts = tagOf(supValue);
    if (ts != tagOf(subValue)) return false;
    if (ts == TAG_OBJECT && objectSubset(supValue, subValue)) continue;
    if (ts == TAG_SET && setSubset(supValue, subValue)) continue;
    if (ts == TAG_ARRAY && arraySubset(supValue, subValue)) continue;
    return false;
  }
  return true;
}

export function builtin$object$subset(sup: Value, sub: Value): Value {
  if (sup == 0 || sub == 0) return 0;
  const a = tagOf(sup);
  const b = tagOf(sub);
  if (a == TAG_OBJECT && b == TAG_OBJECT) return makeBoolean(objectSubset(sup, sub));
  if (a == TAG_SET && b == TAG_SET) return makeBoolean(setSubset(sup, sub));
  if (a == TAG_ARRAY && b == TAG_ARRAY) return makeBoolean(arraySubset(sup, sub));
  if (a == TAG_ARRAY && b == TAG_SET) return makeBoolean(arraySetSubset(sup, sub));
  return typeErrorMessage("object.subset", "both arguments object.subset must be of the same type or array and set");
}

// ---- json.filter / json.remove: paths become a tree of objects with null leaves ----

/** Path segments of a JSON pointer string ("a/b", "/a/b") or an array; 0 for other values. */
function pathSegments(name: string, p: Value): Value {
  if (tagOf(p) == TAG_ARRAY) return p;
  if (tagOf(p) != TAG_STRING) {
    return typeErrorMessage(name, "operand 2 must be one of {set, array} containing string paths " +
      "or array of path segments but got " + typeName(p));
  }
  const out = newArray(4);
  const data = stringData(p);
  const n = stringLength(p);
  if (n == 0) return out;
  let i: u32 = 0;
  while (i < n && load<u8>(data + i) == 0x2f) i++;
  let b = bufNew(16);
  for (; i <= n; i++) {
    if (i == n || load<u8>(data + i) == 0x2f) {
      arrayAppend(out, bufToString(b));
      b = bufNew(16);
      continue;
    }
    const c = <u32>load<u8>(data + i);
    if (c == 0x7e && i + 1 < n && (load<u8>(data + i + 1) == 0x31 || load<u8>(data + i + 1) == 0x30)) {
      bufByte(b, load<u8>(data + i + 1) == 0x31 ? 0x2f : 0x7e);
      i++;
    } else {
      bufByte(b, c);
    }
  }
  return out;
}

/** The path tree {seg: {seg: null}} of the paths in an array or set; 0 after an error. */
function pathTree(name: string, paths: Value): Value {
  const t = tagOf(paths);
  if (t != TAG_ARRAY && t != TAG_SET) return typeError(name, 2, "set, array", paths);
  const root = newObject();
  const n = arrayLength(paths);
  for (let i = 0; i < n; i++) {
    const segs = pathSegments(name, arrayGet(paths, i));
    if (segs == 0) return 0;
    const m = arrayLength(segs);
    if (m == 0) continue;
    insertPath(root, segs, 0, m);
  }
  return root;
}

/** Insert segs[i..m) below node; a null leaf already present covers everything beneath. */
function insertPath(node: Value, segs: Value, i: i32, m: i32): void {
  const k = arrayGet(segs, i);
  if (i == m - 1) {
    objectInsert(node, k, makeNull());
    return;
  }
  let next = objectGet(node, k);
  if (next == 0) {
    next = newObject();
    objectInsert(node, k, next);
  } else if (tagOf(next) != TAG_OBJECT) {
    return;
  }
  insertPath(next, segs, i + 1, m);
}

function indexKey(i: i32): Value {
  const b = bufNew(12);
  bufInt(b, i);
  return bufToString(b);
}

function filterTree(v: Value, filter: Value): Value {
  if (tagOf(filter) == TAG_NULL) return v;
  switch (tagOf(v)) {
    case TAG_ARRAY: {
      const out = newArray(0);
      const n = arrayLength(v);
      for (let i = 0; i < n; i++) {
        const sub = objectGet(filter, indexKey(i));
        if (sub != 0) arrayAppend(out, filterTree(arrayGet(v, i), sub));
      }
      return out;
    }
    case TAG_SET: {
      const out = newSet();
      const n = setLength(v);
      for (let i = 0; i < n; i++) {
        const e = setGet(v, i);
        const sub = objectGet(filter, e);
        if (sub != 0) setAdd(out, filterTree(e, sub));
      }
      return out;
    }
    case TAG_OBJECT: {
      const out = newObject();
      const n = objectLength(v);
      for (let i = 0; i < n; i++) {
        const k = objectKey(v, i);
        const sub = objectGet(filter, k);
        if (sub != 0) objectInsert(out, k, filterTree(objectValue(v, i), sub));
      }
      return out;
    }
  }
  return v;
}

export function builtin$json$filter(obj: Value, paths: Value): Value {
  if (obj == 0 || paths == 0) return 0;
  if (tagOf(obj) != TAG_OBJECT) return typeError("json.filter", 1, "object", obj);
  const tree = pathTree("json.filter", paths);
  return tree == 0 ? 0 : filterTree(obj, tree);
}

/** v without the leaves of `tree`; 0 when v itself is removed. */
function removeTree(v: Value, tree: Value): Value {
  if (tree == 0) return v;
  if (tagOf(tree) == TAG_NULL) return 0;
  if (tagOf(tree) != TAG_OBJECT) return v;
  switch (tagOf(v)) {
    case TAG_OBJECT: {
      const out = newObject();
      const n = objectLength(v);
      for (let i = 0; i < n; i++) {
        const k = objectKey(v, i);
        const kept = removeTree(objectValue(v, i), objectGet(tree, k));
        if (kept != 0) objectInsert(out, k, kept);
      }
      return out;
    }
    case TAG_SET: {
      const out = newSet();
      const n = setLength(v);
      for (let i = 0; i < n; i++) {
        const e = setGet(v, i);
        const kept = removeTree(e, objectGet(tree, e));
        if (kept != 0) setAdd(out, kept);
      }
      return out;
    }
    case TAG_ARRAY: {
      const out = newArray(0);
      const n = arrayLength(v);
      for (let i = 0; i < n; i++) {
        const kept = removeTree(arrayGet(v, i), objectGet(tree, indexKey(i)));
        if (kept != 0) arrayAppend(out, kept);
      }
      return out;
    }
  }
  return v;
}

export function builtin$json$remove(obj: Value, paths: Value): Value {
  if (obj == 0 || paths == 0) return 0;
  if (tagOf(obj) != TAG_OBJECT) return typeError("json.remove", 1, "object", obj);
  const tree = pathTree("json.remove", paths);
  return tree == 0 ? 0 : removeTree(obj, tree);
}
