// Random, mostly well-formed Rego modules from a small grammar: packages, imports, complete and
// partial rules with if-bodies, else chains, defaults, functions, comprehensions, some/every,
// builtin calls, `with`, refs into input and data. A program is rendered from a list of numbers
// (a choice sequence): fast-check shrinks the list, and so the program, towards the first
// alternative of every choice, which is always the simplest one. Variables are mostly bound before
// use so that many programs compile; the rest exercise the compiler's error paths.
import fc from "fast-check";

export interface GeneratedFile {
  file: string;
  source: string;
}

export const choiceSequenceArbitrary: fc.Arbitrary<number[]> = fc.array(fc.nat({ max: 1_000 }), {
  minLength: 1,
  maxLength: 400,
});

const PACKAGES = ["fz.a", "fz.b", "fz.a.c"];
const COMPLETE = ["p", "q", "r"];
const PARTIAL_SETS = ["s", "t"];
const PARTIAL_OBJECTS = ["o"];
const FUNCTIONS = ["f", "g"];
const LOCALS = ["v0", "v1", "v2", "v3", "v4"];
const SCALARS = ["0", "1", "-2", "3.5", "1e3", "12345678901234567890", '"a"', '""', '"x y"'];
const MORE_SCALARS = ["true", "false", "null", '"/sandbox/notes.txt"', '"eng"'];
const INPUT_REFS = [
  "input.principal.sub",
  "input.principal.groups",
  "input.mcp.method",
  "input.mcp.arguments",
  "input.mcp.arguments.path",
  "input.tool.risk",
  "input.missing.field",
  "input",
];
const COLLECTIONS = [
  "[1, 2, 3]",
  "input.principal.groups",
  '{"a": 1, "b": 2}',
  '{"x", "y"}',
  "input.mcp.arguments",
  "numbers.range(1, 3)",
  "[]",
];

class Choices {
  private i = 0;
  constructor(private readonly xs: readonly number[]) {}
  /** 0..n-1; 0 once the sequence is spent, so every rendering ends */
  pick(n: number): number {
    return this.i < this.xs.length ? this.xs[this.i++]! % n : 0;
  }
  of<T>(items: readonly T[]): T {
    return items[this.pick(items.length)]!;
  }
  /** true with probability about 1/n (never once the sequence is spent) */
  rarely(n: number): boolean {
    return this.pick(n) === n - 1;
  }
}

interface Scope {
  bound: string[];
}

const withBound = (scope: Scope, ...names: string[]): Scope => ({
  bound: [...scope.bound, ...names.filter((n) => !scope.bound.includes(n))],
});

export function renderModules(sequence: readonly number[]): GeneratedFile[] {
  const c = new Choices(sequence);
  const count = 1 + c.pick(3);
  return Array.from({ length: count }, (_, i) => ({
    file: `m${i}.rego`,
    source: renderModule(c, i === 0 ? PACKAGES[0]! : c.of(PACKAGES)),
  }));
}

function renderModule(c: Choices, pkg: string): string {
  const lines = [`package ${pkg}`, ""];
  if (c.rarely(3))
    lines.push(c.of(["import data.fz.b", "import input.mcp", "import data.fz.a as other"]));
  const rules = 1 + c.pick(6);
  for (let i = 0; i < rules; i++) lines.push(renderRule(c), "");
  return lines.join("\n");
}

function renderRule(c: Choices): string {
  const scope: Scope = { bound: [] };
  const name = (pool: readonly string[]) =>
    c.rarely(12) ? c.of([...COMPLETE, ...PARTIAL_SETS, ...FUNCTIONS]) : c.of(pool);
  switch (c.pick(8)) {
    case 0:
      return `${name(COMPLETE)} := ${term(c, scope, 2)}`;
    case 1: {
      let text = `${name(COMPLETE)} := ${term(c, scope, 2)} if ${body(c, scope, 2)}`;
      const elses = c.pick(3);
      for (let i = 0; i < elses; i++)
        text += ` else := ${term(c, scope, 1)} if ${body(c, scope, 1)}`;
      return text;
    }
    case 2:
      return `${name(COMPLETE)} if ${body(c, scope, 2)}`;
    case 3:
      return `default ${name(COMPLETE)} := ${c.of([...SCALARS, ...MORE_SCALARS])}`;
    case 4: {
      const [exprs, inner] = expressions(c, scope, 2);
      return `${name(PARTIAL_SETS)} contains ${term(c, inner, 1)} if {\n${exprs}\n}`;
    }
    case 5: {
      const [exprs, inner] = expressions(c, scope, 2);
      return `${name(PARTIAL_OBJECTS)}[${term(c, inner, 0)}] := ${term(c, inner, 1)} if {\n${exprs}\n}`;
    }
    case 6: {
      const params = c.pick(2) === 0 ? ["x"] : ["x", "y"];
      const args = params.map((p) => (c.rarely(6) ? c.of(SCALARS) : p));
      const inner = withBound(scope, ...params.filter((p) => args.includes(p)));
      const [exprs, after] = expressions(c, inner, 2);
      return `${name(FUNCTIONS)}(${args.join(", ")}) := ${term(c, after, 1)} if {\n${exprs}\n}`;
    }
    default:
      return `${name(COMPLETE)} := ${term(c, scope, 1)} if ${expression(c, scope, 1)[0]}`;
  }
}

function body(c: Choices, scope: Scope, depth: number): string {
  return `{\n${expressions(c, scope, depth)[0]}\n}`;
}

/** One or more expressions, each on its own line; returns the scope after the last one. */
function expressions(c: Choices, scope: Scope, depth: number): [string, Scope] {
  const lines: string[] = [];
  let current = scope;
  const n = 1 + c.pick(4);
  for (let i = 0; i < n; i++) {
    const [text, next] = expression(c, current, depth);
    lines.push(`\t${text}`);
    current = next;
  }
  return [lines.join("\n"), current];
}

function freshLocal(c: Choices, scope: Scope): string {
  const free = LOCALS.filter((v) => !scope.bound.includes(v));
  return free.length > 0 ? c.of(free) : c.of(LOCALS);
}

function expression(c: Choices, scope: Scope, depth: number): [string, Scope] {
  const t = (d = depth - 1) => term(c, scope, Math.max(d, 0));
  switch (c.pick(12)) {
    case 0:
      return [`${t()} == ${t()}`, scope];
    case 1: {
      const v = freshLocal(c, scope);
      return [`${v} := ${t()}`, withBound(scope, v)];
    }
    case 2: {
      const v = freshLocal(c, scope);
      if (c.pick(2) === 0)
        return [`some ${v} in ${collection(c, scope, depth)}`, withBound(scope, v)];
      const k = freshLocal(c, withBound(scope, v));
      return [`some ${k}, ${v} in ${collection(c, scope, depth)}`, withBound(scope, k, v)];
    }
    case 3:
      return [`not ${expression(c, scope, Math.max(depth - 1, 0))[0]}`, scope];
    case 4: {
      if (depth === 0) return [`${t()} != ${t()}`, scope];
      const v = freshLocal(c, scope);
      const [inner] = expressions(c, withBound(scope, v), depth - 1);
      return [`every ${v} in ${collection(c, scope, depth)} {\n${inner}\n\t}`, scope];
    }
    case 5:
      return [
        c.of([
          `count(${t()}) > ${c.of(["0", "1"])}`,
          `startswith(${t()}, "a")`,
          `is_string(${t()})`,
          `contains(${t()}, "x")`,
          `${t()} in ${collection(c, scope, depth)}`,
          `regex.match("^a", ${t()})`,
          `glob.match("*.txt", ["/"], ${t()})`,
        ]),
        scope,
      ];
    case 6: {
      const v = freshLocal(c, scope);
      const call = c.of([
        `sprintf("%v-%v", [${t()}, ${t()}])`,
        `concat(",", [${t()}])`,
        `object.get(${t()}, "k", null)`,
        `lower(${t()})`,
        `sum([${t()}, 1])`,
        `array.concat([${t()}], [${t()}])`,
        `abs(${t()})`,
        `to_number(${t()})`,
        `json.marshal(${t()})`,
        `split(${t()}, "/")`,
        `union({${t()}, ${t()}})`,
      ]);
      return [`${v} := ${call}`, withBound(scope, v)];
    }
    case 7:
      return [`${t()} ${c.of(["<", "<=", ">", ">="])} ${t()}`, scope];
    case 8: {
      const v = freshLocal(c, scope);
      const args = c.pick(2) === 0 ? t() : `${t()}, ${t()}`;
      return [
        `${v} := ${c.of([...FUNCTIONS, "data.fz.a.f", "data.fz.b.g"])}(${args})`,
        withBound(scope, v),
      ];
    }
    case 9: {
      const [inner, next] = expression(c, scope, Math.max(depth - 1, 0));
      const target = c.of(["input.mcp.method", "input", "data.fz.b.q", "input.principal.groups"]);
      return [`${inner} with ${target} as ${t()}`, next];
    }
    case 10:
      // an unbound or mistyped name: the compiler must say where
      return [`${c.of(["z", "v0", "unknown_fn(1)", "input.x = y", "x"])} == ${t()}`, scope];
    default:
      return [t(), scope];
  }
}

function collection(c: Choices, scope: Scope, depth: number): string {
  if (depth > 0 && c.rarely(4)) return term(c, scope, depth - 1);
  return c.of([
    ...COLLECTIONS,
    `data.fz.a.${c.of(PARTIAL_SETS)}`,
    ...(scope.bound.length > 0 ? [c.of(scope.bound)] : []),
  ]);
}

function term(c: Choices, scope: Scope, depth: number): string {
  const leafCount = 6;
  const choice = c.pick(depth > 0 ? leafCount + 9 : leafCount);
  switch (choice) {
    case 0:
      return c.of(SCALARS);
    case 1:
      return scope.bound.length > 0 ? c.of(scope.bound) : c.of(MORE_SCALARS);
    case 2:
      return c.of(INPUT_REFS);
    case 3:
      return `data.${c.of(PACKAGES)}.${c.of([...COMPLETE, ...PARTIAL_SETS, ...PARTIAL_OBJECTS])}`;
    case 4:
      return c.of([...COMPLETE, ...PARTIAL_SETS, "o"]);
    case 5:
      return `input.mcp.arguments[${scope.bound.length > 0 ? c.of(scope.bound) : '"path"'}]`;
  }
  const t = () => term(c, scope, depth - 1);
  switch (choice - leafCount) {
    case 0:
      return `[${t()}, ${t()}]`;
    case 1:
      return `{${t()}, ${t()}}`;
    case 2:
      return `{"k": ${t()}, ${c.of(['"j"', "1", "v0"])}: ${t()}}`;
    case 3: {
      const v = freshLocal(c, scope);
      const inner = withBound(scope, v);
      const [exprs] = c.pick(2) === 0 ? ["", inner] : expressions(c, inner, depth - 1);
      const head = term(c, inner, depth - 1);
      return `[${head} | some ${v} in ${collection(c, scope, depth - 1)}${exprs ? `\n${exprs}\n` : ""}]`;
    }
    case 4: {
      const v = freshLocal(c, scope);
      return `{${v} | some ${v} in ${collection(c, scope, depth - 1)}}`;
    }
    case 5: {
      const k = freshLocal(c, scope);
      const v = freshLocal(c, withBound(scope, k));
      return `{${k}: ${v} | some ${k}, ${v} in ${collection(c, scope, depth - 1)}}`;
    }
    case 6:
      return `${t()} ${c.of(["+", "-", "*", "/", "%"])} ${t()}`;
    case 7:
      return `${t()} ${c.of(["|", "&"])} ${t()}`;
    default:
      return `${c.of(["count", "to_number", "is_number", "type_name", "object.keys", "sort"])}(${t()})`;
  }
}
