// Result-set and error comparison, following OPA's own case runner (v1/topdown/exported_test.go):
// the expected and actual result sets are compared as sets of binding objects; values are compared
// as Rego values (numbers numerically, object keys unordered); with sort_bindings the arrays bound
// to each variable are sorted first.

type Binding = Record<string, unknown>;

/** Rego's order of JSON values: null < boolean < number < string < array < object. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return Number(a) - Number(b);
    case 2:
      return Number(a) < Number(b) ? -1 : Number(a) > Number(b) ? 1 : 0;
    case 3:
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    case 4: {
      const xs = a as unknown[];
      const ys = b as unknown[];
      for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
        const c = compareValues(xs[i], ys[i]);
        if (c !== 0) return c;
      }
      return xs.length - ys.length;
    }
    default: {
      const ka = Object.keys(a as object).sort();
      const kb = Object.keys(b as object).sort();
      const c = compareValues(ka, kb);
      if (c !== 0) return c;
      return compareValues(
        ka.map((k) => (a as Binding)[k]),
        kb.map((k) => (b as Binding)[k]),
      );
    }
  }
}

function rank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === "boolean") return 1;
  if (typeof v === "number" || typeof v === "bigint") return 2;
  if (typeof v === "string") return 3;
  if (Array.isArray(v)) return 4;
  return 5;
}

/** A text that is equal for equal Rego values (sorted object keys, numbers in canonical form). */
export function canonicalText(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalText).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalText((v as Binding)[k])}`).join(",")}}`;
  }
  if (typeof v === "number" || typeof v === "bigint") return String(Number(v));
  return JSON.stringify(v ?? null);
}

function normaliseBindings(rs: Binding[], sortBindings: boolean): string[] {
  const texts = rs.map((binding) => {
    const sorted: Binding = {};
    for (const [k, v] of Object.entries(binding)) {
      sorted[k] = sortBindings && Array.isArray(v) ? [...v].sort(compareValues) : v;
    }
    return canonicalText(sorted);
  });
  return [...new Set(texts)].sort();
}

/** Undefined when the result sets are equal, else a description of the difference. */
export function resultSetMismatch(
  want: Binding[],
  got: unknown,
  sortBindings: boolean,
): string | undefined {
  if (
    !Array.isArray(got) ||
    got.some((b) => b === null || typeof b !== "object" || Array.isArray(b))
  ) {
    return `expected ${JSON.stringify(want)}, got a malformed result set ${JSON.stringify(got)}`;
  }
  const w = normaliseBindings(want, sortBindings);
  const g = normaliseBindings(got as Binding[], sortBindings);
  if (w.length === g.length && w.every((t, i) => t === g[i])) return undefined;
  return `expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
}

export interface ActualError {
  code?: string;
  text: string;
}

const errorShape = /^(?:(?<loc>[^\s:]+(?::\d+){1,2}): )?(?<code>[a-z_]+_error): /;

/** Splits `[file:row[:col]: ]<code>: <message>` (opa-wasm's runtime error texts). */
export function parseErrorText(text: string): ActualError {
  const match = errorShape.exec(text);
  return { code: match?.groups?.code, text };
}

/** OPA prints locations as `file:row`; ours carry a column too. Accept either spelling. */
function withoutColumns(text: string): string {
  return text.replace(/([^\s:]+\.rego:\d+):\d+:/g, "$1:");
}

export function errorMismatch(
  want: { code?: string; text?: string },
  got: ActualError,
): string | undefined {
  if (want.code !== undefined && got.code !== want.code) {
    return `expected error code ${want.code}, got ${got.code ?? "none"}: ${got.text}`;
  }
  if (
    want.text !== undefined &&
    !got.text.includes(want.text) &&
    !withoutColumns(got.text).includes(want.text)
  ) {
    return `expected error containing ${JSON.stringify(want.text)}, got ${JSON.stringify(got.text)}`;
  }
  return undefined;
}
