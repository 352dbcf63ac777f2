// Sorting value addresses by Rego's order (stable merge sort).
//   sortedArray(v): Value   a new array of the elements of array/set v in ascending order
import { malloc } from "./alloc";
import { Value, TAG_SET, tagOf, newArray, arrayAppend, arrayLength, arrayGet } from "./value";
import { compare } from "./compare";
import { charge } from "./fuel";

function mergeSort(src: usize, tmp: usize, n: i32): void {
  if (n < 2) return;
  const half = n >> 1;
  mergeSort(src, tmp, half);
  mergeSort(src + (<usize>half << 2), tmp, n - half);
  let i = 0;
  let j = half;
  let k = 0;
  while (i < half && j < n) {
    const a = load<u32>(src + (<usize>i << 2));
    const b = load<u32>(src + (<usize>j << 2));
    if (compare(<usize>b, <usize>a) < 0) {
      store<u32>(tmp + (<usize>(k++) << 2), b);
      j++;
    } else {
      store<u32>(tmp + (<usize>(k++) << 2), a);
      i++;
    }
  }
  while (i < half) store<u32>(tmp + (<usize>(k++) << 2), load<u32>(src + (<usize>(i++) << 2)));
  while (j < n) store<u32>(tmp + (<usize>(k++) << 2), load<u32>(src + (<usize>(j++) << 2)));
  memory.copy(src, tmp, <usize>n << 2);
}

export function sortedArray(v: Value): Value {
  const n = arrayLength(v);
  const out = newArray(n);
  for (let i = 0; i < n; i++) arrayAppend(out, arrayGet(v, i));
  if (tagOf(v) == TAG_SET || n < 2) return out;
  // n log n comparisons (those of scalars are not charged by compare)
  charge(<i64>n * <i64>(32 - clz<u32>(<u32>n)));
  const elems = <usize>load<u32>(out, 12);
  mergeSort(elems, malloc(<usize>n << 2), n);
  return out;
}
