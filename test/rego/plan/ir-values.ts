// Test-only Rego values for the IR interpreter: JSON-like JS values, with objects and sets keyed
// by a canonical text so any value can be a key. Iteration follows Rego's value ordering.
export type Value = null | boolean | number | string | Value[] | RObject | RSet;

export class RObject {
  readonly entries = new Map<string, [Value, Value]>();
  get(key: Value): Value | undefined {
    return this.entries.get(canonical(key))?.[1];
  }
  set(key: Value, value: Value): void {
    this.entries.set(canonical(key), [key, value]);
  }
  sorted(): [Value, Value][] {
    return [...this.entries.values()].sort(([a], [b]) => compare(a, b));
  }
}

export class RSet {
  readonly items = new Map<string, Value>();
  has(v: Value): boolean {
    return this.items.has(canonical(v));
  }
  add(v: Value): void {
    this.items.set(canonical(v), v);
  }
  sorted(): Value[] {
    return [...this.items.values()].sort(compare);
  }
}

const rank = (v: Value): number =>
  v === null
    ? 0
    : typeof v === "boolean"
      ? 1
      : typeof v === "number"
        ? 2
        : typeof v === "string"
          ? 3
          : Array.isArray(v)
            ? 4
            : v instanceof RObject
              ? 5
              : 6;

export function canonical(v: Value): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v instanceof RObject)
    return `{${v
      .sorted()
      .map(([k, x]) => `${canonical(k)}:${canonical(x)}`)
      .join(",")}}`;
  return `<${v.sorted().map(canonical).join(",")}>`;
}

export function equal(a: Value, b: Value): boolean {
  return canonical(a) === canonical(b);
}

export function compare(a: Value, b: Value): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === "boolean" || typeof a === "number" || typeof a === "string") {
    return a < (b as typeof a) ? -1 : a > (b as typeof a) ? 1 : 0;
  }
  const seq = (x: Value): Value[] =>
    Array.isArray(x)
      ? x
      : x instanceof RObject
        ? x.sorted().flat()
        : x instanceof RSet
          ? x.sorted()
          : [];
  const xs = seq(a);
  const ys = seq(b);
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const c = compare(xs[i]!, ys[i]!);
    if (c !== 0) return c;
  }
  return xs.length - ys.length;
}

export function fromJSON(json: unknown): Value {
  if (Array.isArray(json)) return json.map(fromJSON);
  if (json !== null && typeof json === "object") {
    const obj = new RObject();
    for (const [k, v] of Object.entries(json)) obj.set(k, fromJSON(v));
    return obj;
  }
  return json as Value;
}

/** JSON as OPA prints it: sets as sorted arrays, non-string object keys as their JSON text. */
export function toJSON(v: Value): unknown {
  if (Array.isArray(v)) return v.map(toJSON);
  if (v instanceof RSet) return v.sorted().map(toJSON);
  if (v instanceof RObject) {
    return Object.fromEntries(
      v
        .sorted()
        .map(([k, x]) => [typeof k === "string" ? k : JSON.stringify(toJSON(k)), toJSON(x)]),
    );
  }
  return v;
}

export function length(v: Value): number | undefined {
  if (Array.isArray(v)) return v.length;
  if (v instanceof RObject) return v.entries.size;
  if (v instanceof RSet) return v.items.size;
  return undefined;
}

/** [key, value] pairs in iteration order (arrays by index, objects/sets sorted). */
export function iterate(v: Value): [Value, Value][] {
  if (Array.isArray(v)) return v.map((x, i) => [i, x]);
  if (v instanceof RObject) return v.sorted();
  if (v instanceof RSet) return v.sorted().map((x) => [x, x]);
  return [];
}

/** A Rego value text as planned in static.consts (JSON plus sets: `{1, 2}`, `set()`). */
export function parseRegoValue(text: string): Value {
  let pos = 0;
  const skip = (): void => {
    while (/\s/.test(text[pos] ?? "")) pos++;
  };
  const value = (): Value => {
    skip();
    if (text.startsWith("set()", pos)) {
      pos += 5;
      return new RSet();
    }
    const c = text[pos];
    if (c === "[") {
      pos++;
      const items: Value[] = [];
      skip();
      if (text[pos] === "]") return (pos++, items);
      do items.push(value());
      while ((skip(), text[pos++] === ","));
      return items;
    }
    if (c === "{") {
      pos++;
      skip();
      if (text[pos] === "}") return (pos++, new RObject());
      const first = value();
      skip();
      if (text[pos] !== ":") {
        const set = new RSet();
        set.add(first);
        while ((skip(), text[pos++] === ",")) set.add(value());
        return set;
      }
      const obj = new RObject();
      let key = first;
      for (;;) {
        pos++; // :
        obj.set(key, value());
        skip();
        if (text[pos++] !== ",") return obj;
        key = value();
        skip();
      }
    }
    const scalar = /^(?:"(?:[^"\\]|\\.)*"|-?[\d.eE+-]+|true|false|null)/.exec(text.slice(pos))![0];
    pos += scalar.length;
    return JSON.parse(scalar) as Value;
  };
  return value();
}
