// The host's half of `regoValues` builtins (rego/builtins/registry.ts, rego/wasm/host-value-text.ts):
// their arguments arrive as Rego value text (the runtime's opa_value_dump: JSON plus sets `{1, 2}`
// and `set()`, and object keys of any type) and their results go back as Rego text. Sets become
// RegoSets; numbers are JS numbers, or `JSON.rawJSON` texts when a JS number would change them.
import { builtinError } from "./errors.ts";
import { exactNumber } from "./numbers.ts";
import type { HostBuiltin } from "./types.ts";
import { RegoSet, regoText, type JsonObject } from "./values.ts";

/** As deep as the runtime's parser reads (json.ts MAX_DEPTH). */
const MAX_DEPTH = 1000;

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const SPACE = /[ \t\n\r]*/y;

class Reader {
  private pos = 0;

  constructor(private readonly text: string) {}

  document(): unknown {
    const value = this.value(0);
    this.space();
    if (this.pos !== this.text.length) this.fail();
    return value;
  }

  /** A value inside `depth` arrays, objects or sets. */
  private value(depth: number): unknown {
    this.space();
    const c = this.text[this.pos];
    if (c === '"') return this.string();
    if (c === "[" || c === "{") {
      if (depth >= MAX_DEPTH) throw builtinError(`value nests deeper than ${MAX_DEPTH} levels`);
      return c === "[" ? this.array(depth) : this.braces(depth);
    }
    for (const [word, value] of WORDS) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value();
      }
    }
    return exactNumber(this.match(NUMBER));
  }

  /** A JSON string (a regular expression overflows V8's stack on strings of megabytes). */
  private string(): string {
    let end = this.pos + 1;
    for (;;) {
      const c = this.text.charCodeAt(end);
      if (c === 0x22) break;
      if (Number.isNaN(c)) this.fail();
      end += c === 0x5c ? 2 : 1;
    }
    const token = this.text.slice(this.pos, end + 1);
    this.pos = end + 1;
    return JSON.parse(token) as string;
  }

  private array(depth: number): unknown[] {
    this.pos++;
    const items: unknown[] = [];
    this.items("]", () => items.push(this.value(depth + 1)));
    return items;
  }

  /** `{}` and `{k: v, ...}` are objects, `{a, ...}` a set. */
  private braces(depth: number): JsonObject | RegoSet {
    this.pos++;
    this.space();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return Object.create(null) as JsonObject;
    }
    const first = this.value(depth + 1);
    this.space();
    if (this.text[this.pos] !== ":") {
      const set = new RegoSet();
      set.push(first);
      this.rest("}", () => set.push(this.value(depth + 1)));
      return set;
    }
    const object: JsonObject = Object.create(null);
    const member = (key: unknown) => {
      this.space();
      this.expect(":");
      // keys that are not strings get the text opa_json_dump gives them
      object[typeof key === "string" ? key : JSON.stringify(key)] = this.value(depth + 1);
    };
    member(first);
    this.rest("}", () => member(this.value(depth + 1)));
    return object;
  }

  /** Comma-separated items up to `close`, the opening bracket already read. */
  private items(close: string, item: () => void): void {
    this.space();
    if (this.text[this.pos] === close) {
      this.pos++;
      return;
    }
    item();
    this.rest(close, item);
  }

  /** `, item` repeated, then `close`. */
  private rest(close: string, item: () => void): void {
    for (;;) {
      this.space();
      if (this.text[this.pos] === close) {
        this.pos++;
        return;
      }
      this.expect(",");
      item();
    }
  }

  private expect(c: string): void {
    if (this.text[this.pos] !== c) this.fail();
    this.pos++;
  }

  private space(): void {
    this.match(SPACE);
  }

  private match(pattern: RegExp): string {
    pattern.lastIndex = this.pos;
    const m = pattern.exec(this.text);
    if (!m) return this.fail();
    this.pos += m[0].length;
    return m[0];
  }

  private fail(): never {
    // the module made this text: failing to read it is a bug, not the policy's error
    throw new Error(`not a Rego value at character ${this.pos}: ${this.text.slice(0, 80)}`);
  }
}

const WORDS: [string, () => unknown][] = [
  ["null", () => null],
  ["true", () => true],
  ["false", () => false],
  ["set()", () => new RegoSet()],
];

/** The host value of a Rego value text as the runtime prints one. */
export function parseRegoValue(text: string): unknown {
  return new Reader(text).document();
}

/** `impl` taking and giving Rego value text, as the module calls a `regoValues` builtin. */
export function withRegoValueText(impl: HostBuiltin): HostBuiltin {
  return (args, ctx) => {
    const values = args.map((a) => {
      if (typeof a !== "string") throw new Error("expected an argument as Rego value text");
      return parseRegoValue(a);
    });
    const result = impl(values, ctx);
    return result === undefined ? undefined : regoText(result);
  };
}
