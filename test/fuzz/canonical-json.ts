// A canonical text of a JSON value, to compare what went into the policy with what came out:
// object keys sorted, numbers as JavaScript prints their float64 (so -0 is 0 and 1e400 is
// Infinity), strings made well-formed (a lone surrogate is U+FFFD, as UTF-8 carries it). Built
// with an explicit stack: values 100,000 levels deep compare without overflowing the call stack.

class Literal {
  constructor(readonly text: string) {}
}

export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  const work: unknown[] = [value];
  while (work.length > 0) {
    const item = work.pop();
    if (item instanceof Literal) {
      out.push(item.text);
    } else if (Array.isArray(item)) {
      work.push(new Literal("]"));
      for (let i = item.length - 1; i >= 0; i--) {
        work.push(item[i]);
        if (i > 0) work.push(new Literal(","));
      }
      work.push(new Literal("["));
    } else if (item !== null && typeof item === "object") {
      const keys = Object.keys(item).sort();
      work.push(new Literal("}"));
      for (let i = keys.length - 1; i >= 0; i--) {
        work.push((item as Record<string, unknown>)[keys[i]!]);
        work.push(new Literal(`${i > 0 ? "," : ""}${JSON.stringify(wellFormed(keys[i]!))}:`));
      }
      work.push(new Literal("{"));
    } else if (typeof item === "string") {
      out.push(JSON.stringify(wellFormed(item)));
    } else if (typeof item === "number") {
      out.push(Object.is(item, -0) ? "0" : String(item));
    } else {
      out.push(String(item));
    }
  }
  return out.join("");
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, "\ufffd");
}
