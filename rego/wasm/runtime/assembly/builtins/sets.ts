// Set builtins: and (&), or (|), intersection, union.
import { Value, TAG_SET, tagOf, newSet, setAdd, setContains, setLength, setGet } from "../value";
import { typeError, typeErrorMessage } from "../errors";
import { charge } from "../fuel";

function setsOperands(name: string, a: Value, b: Value): bool {
  if (tagOf(a) != TAG_SET) {
    typeError(name, 1, "set", a);
    return false;
  }
  if (tagOf(b) != TAG_SET) {
    typeError(name, 2, "set", b);
    return false;
  }
  return true;
}

function intersect(a: Value, b: Value): Value {
  const out = newSet();
  const n = setLength(a);
  charge(<i64>n);
  for (let i = 0; i < n; i++) {
    const e = setGet(a, i);
    if (setContains(b, e)) setAdd(out, e);
  }
  return out;
}

function unite(out: Value, a: Value): void {
  const n = setLength(a);
  charge(<i64>n);
  for (let i = 0; i < n; i++) setAdd(out, setGet(a, i));
}

export function builtin$and(a: Value, b: Value): Value {
  if (a == 0 || b == 0 || !setsOperands("and", a, b)) return 0;
  return intersect(a, b);
}

export function builtin$or(a: Value, b: Value): Value {
  if (a == 0 || b == 0 || !setsOperands("or", a, b)) return 0;
  const out = newSet();
  unite(out, a);
  unite(out, b);
  return out;
}

/** Checks a set of sets; returns false after reporting the type error. */
function setOfSets(name: string, xs: Value): bool {
  if (tagOf(xs) != TAG_SET) {
    typeError(name, 1, "set", xs);
    return false;
  }
  const n = setLength(xs);
  for (let i = 0; i < n; i++) {
    if (tagOf(setGet(xs, i)) != TAG_SET) {
      typeErrorMessage(name, "operand 1 must be set of sets");
      return false;
    }
  }
  return true;
}

export function builtin$intersection(xs: Value): Value {
  if (xs == 0 || !setOfSets("intersection", xs)) return 0;
  const n = setLength(xs);
  if (n == 0) return newSet();
  let acc = setGet(xs, 0);
  for (let i = 1; i < n; i++) acc = intersect(acc, setGet(xs, i));
  return n == 1 ? intersect(acc, acc) : acc;
}

export function builtin$union(xs: Value): Value {
  if (xs == 0 || !setOfSets("union", xs)) return 0;
  const out = newSet();
  const n = setLength(xs);
  for (let i = 0; i < n; i++) unite(out, setGet(xs, i));
  return out;
}
