// Names given to the second and later definitions of a test (see duplicates.ts).
const marker = "__gatehouse_dup_";

/** `test_x`, 1 => `test_x__gatehouse_dup_01`: an identifier the compiler accepts. */
export function duplicateName(name: string, count: number): string {
  return `${name}${marker}${String(count).padStart(2, "0")}`;
}

/** The name a renamed definition is reported under, as OPA names it: `test_x#01`. */
export function reportedName(name: string): string {
  const at = name.lastIndexOf(marker);
  return at < 0 ? name : `${name.slice(0, at)}#${name.slice(at + marker.length)}`;
}
