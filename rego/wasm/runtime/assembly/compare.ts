// Rego equality and total ordering.
//   compare(a, b): i32   -1/0/1; null < boolean < number < string < array < object < set;
//                        numbers by value (1 == 1.0); strings bytewise; collections lexicographic
//                        (objects: key, then value, pair by pair; then length)
//   equal(a, b): bool    compare(a, b) == 0 (undefined equals nothing)
//   compareBytes(p, n, q, m): i32   bytewise comparison of two byte ranges
import {
  Value, tagOf, TAG_NULL, TAG_BOOLEAN, TAG_NUMBER, TAG_STRING, TAG_ARRAY, TAG_OBJECT, TAG_SET,
  numberIsInt, numberInt, numberFloat, numberIsBig, numberBigText, numberBigLength, makeStringView,
  stringLength, stringData, booleanValue,
  arrayLength, arrayGet, objectLength, objectKey, objectValue,
} from "./value";
import { integerText } from "./bigint";
import { charge } from "./fuel";

// Budget (fuel.ts): a unit per collection compared and per two of its elements, and one per 128
// bytes of strings from 256 bytes; shorter strings are free (object key lookups would pay on every
// probe).

export function compareBytes(p: usize, n: u32, q: usize, m: u32): i32 {
  const len = n < m ? n : m;
  if (len >= 256) charge(<i64>(len >> 7));
  let i: u32 = 0;
  // 8 bytes at a time while equal
  while (i + 8 <= len && load<u64>(p + i) == load<u64>(q + i)) i += 8;
  for (; i < len; i++) {
    const a = load<u8>(p + i);
    const b = load<u8>(q + i);
    if (a != b) return a < b ? -1 : 1;
  }
  return n == m ? 0 : n < m ? -1 : 1;
}

function compareNumbers(a: Value, b: Value): i32 {
  if (numberIsInt(a) && numberIsInt(b)) {
    const x = numberInt(a);
    const y = numberInt(b);
    return x == y ? 0 : x < y ? -1 : 1;
  }
  if ((numberIsBig(a) || numberIsBig(b)) && (numberIsBig(a) || numberIsInt(a)) && (numberIsBig(b) || numberIsInt(b))) {
    return compareIntegerTexts(integerText(a), integerText(b));
  }
  const x = numberFloat(a);
  const y = numberFloat(b);
  return x == y ? 0 : x < y ? -1 : 1;
}

/** Compare canonical decimal integers ("-123", "45"; no leading zeros). */
function compareIntegerTexts(a: Value, b: Value): i32 {
  const pa = stringData(a);
  const pb = stringData(b);
  const na = stringLength(a);
  const nb = stringLength(b);
  const negA = na > 0 && load<u8>(pa) == 0x2d;
  const negB = nb > 0 && load<u8>(pb) == 0x2d;
  if (negA != negB) return negA ? -1 : 1;
  let c: i32 = na != nb ? (na < nb ? -1 : 1) : compareBytes(pa, na, pb, nb);
  return negA ? -c : c;
}

export function compare(a: Value, b: Value): i32 {
  if (a == b) return 0;
  const ta = tagOf(a);
  const tb = tagOf(b);
  if (ta != tb) return ta < tb ? -1 : 1;
  switch (ta) {
    case TAG_NULL:
      return 0;
    case TAG_BOOLEAN: {
      const x = booleanValue(a);
      const y = booleanValue(b);
      return x == y ? 0 : !x ? -1 : 1;
    }
    case TAG_NUMBER:
      return compareNumbers(a, b);
    case TAG_STRING:
      return compareBytes(stringData(a), stringLength(a), stringData(b), stringLength(b));
    case TAG_ARRAY:
    case TAG_SET: {
      const n = arrayLength(a);
      const m = arrayLength(b);
      const len = n < m ? n : m;
      charge(<i64>((len >> 1) + 1));
      for (let i = 0; i < len; i++) {
        const c = compare(arrayGet(a, i), arrayGet(b, i));
        if (c != 0) return c;
      }
      return n == m ? 0 : n < m ? -1 : 1;
    }
    case TAG_OBJECT: {
      const n = objectLength(a);
      const m = objectLength(b);
      const len = n < m ? n : m;
      charge(<i64>((len >> 1) + 1));
      for (let i = 0; i < len; i++) {
        let c = compare(objectKey(a, i), objectKey(b, i));
        if (c != 0) return c;
        c = compare(objectValue(a, i), objectValue(b, i));
        if (c != 0) return c;
      }
      return n == m ? 0 : n < m ? -1 : 1;
    }
  }
  return 0;
}

export function equal(a: Value, b: Value): bool {
  if (a == 0 || b == 0) return false;
  if (a == b) return true;
  const ta = tagOf(a);
  if (ta != tagOf(b)) return false;
  if (ta == TAG_STRING && stringLength(a) != stringLength(b)) return false;
  if ((ta == TAG_ARRAY || ta == TAG_SET || ta == TAG_OBJECT) && arrayLength(a) != arrayLength(b)) return false;
  return compare(a, b) == 0;
}
