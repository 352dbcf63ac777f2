// Every string value in a request's arguments, with where it sits (a JSON pointer) and the name of
// the member that holds it. Bounded in depth and count: a hostile argument cannot make it costly,
// and what was left out is said, so the facts built from it can fail closed.

export const MAX_WALK_DEPTH = 32;
export const MAX_WALKED_STRINGS = 10_000;

export interface FoundString {
  /** JSON pointer from input.mcp, e.g. "/arguments/paths/1" or "/uri" */
  pointer: string;
  /** the object member holding the value, or holding the array (at any depth) it is in */
  key: string | null;
  value: string;
}

export interface Walk {
  strings: FoundString[];
  /** where the walk stopped and why (a bound was hit), or null when it visited every value */
  incomplete: { pointer: string; why: string } | null;
}

/** RFC 6901 escaping of one reference token. */
export function pointerToken(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

export function stringsIn(value: unknown, pointer: string, key: string | null = null): Walk {
  const walk: Walk = { strings: [], incomplete: null };
  const visit = (v: unknown, at: string, holder: string | null, depth: number): void => {
    if (walk.incomplete !== null) return;
    if (typeof v === "string") {
      if (walk.strings.length >= MAX_WALKED_STRINGS) {
        walk.incomplete = {
          pointer: at,
          why: `more than ${MAX_WALKED_STRINGS} string values; the rest were not checked`,
        };
        return;
      }
      walk.strings.push({ pointer: at, key: holder, value: v });
      return;
    }
    if (v === null || typeof v !== "object") return;
    if (depth >= MAX_WALK_DEPTH) {
      walk.incomplete = {
        pointer: at,
        why: `values nested deeper than ${MAX_WALK_DEPTH} levels were not checked`,
      };
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, `${at}/${i}`, holder, depth + 1));
      return;
    }
    for (const [name, item] of Object.entries(v))
      visit(item, `${at}/${pointerToken(name)}`, name, depth + 1);
  };
  visit(value, pointer, key, 0);
  return walk;
}

/**
 * The facts of the strings that yield one, at most `max` of them; past that, one last fact made by
 * `unchecked` says the rest were not checked (the policy denies on it).
 */
export function boundedFacts<F>(
  strings: readonly FoundString[],
  max: number,
  noun: string,
  factOf: (found: FoundString) => F | null,
  unchecked: (pointer: string, why: string) => F,
): F[] {
  const facts: F[] = [];
  for (const found of strings) {
    const fact = factOf(found);
    if (fact === null) continue;
    if (facts.length === max) {
      facts.push(
        unchecked(
          found.pointer,
          `more than ${max} ${noun} in one request; the rest were not checked`,
        ),
      );
      break;
    }
    facts.push(fact);
  }
  return facts;
}
