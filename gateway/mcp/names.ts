// Namespaced names: `<server><separator><name>` for tools and prompts of the "all" view.
import type { Catalog } from "../catalog/index.ts";

export const DEFAULT_SEPARATOR = "__";

/** The key a policy's `visible_tools` uses for an item, whatever the gateway's separator. */
export function policyKey(server: string, name: string): string {
  return `${server}__${name}`;
}

export function namespaced(server: string, name: string, separator: string): string {
  return `${server}${separator}${name}`;
}

/** Splits at the first separator (server names cannot contain it); undefined when there is none. */
export function splitNamespaced(
  exposed: string,
  separator: string,
): { server: string; name: string } | undefined {
  const at = exposed.indexOf(separator);
  if (at <= 0 || at + separator.length >= exposed.length) return undefined;
  return { server: exposed.slice(0, at), name: exposed.slice(at + separator.length) };
}

/** Catalog names are lowercase letters, digits and dashes; a separator inside one would make
 * `<server><separator><tool>` ambiguous, so such a pairing is refused outright. */
export function separatorProblems(catalog: Catalog, separator: string): string[] {
  if (separator === "") return ["the namespace separator must not be empty"];
  return [...catalog.servers.keys()]
    .filter((name) => name.includes(separator))
    .map(
      (name) => `server name ${name} contains the namespace separator ${JSON.stringify(separator)}`,
    );
}

export function assertSeparatorSafe(catalog: Catalog, separator: string): void {
  const problems = separatorProblems(catalog, separator);
  if (problems.length > 0) throw new Error(problems.join("; "));
}
