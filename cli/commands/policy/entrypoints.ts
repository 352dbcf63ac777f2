import { parseModule } from "../../../rego/syntax/index.ts";
import type { Module, Term } from "../../../rego/syntax/ast.ts";
import type { SourceFile } from "../../../rego/index.ts";

/**
 * Entrypoints (`a/b`) that name no package and no rule in `files`. A typo here would otherwise
 * build a bundle whose decision is always undefined, i.e. a gateway that denies everything.
 */
export function unknownEntrypoints(files: SourceFile[], entrypoints: string[]): string[] {
  const paths = files.flatMap((f) => documentPaths(parseModule(f.source, f.file)));
  return entrypoints.filter((entrypoint) => {
    const wanted = entrypoint.split("/");
    return !paths.some((path) => isPrefix(wanted, path) || isPrefix(path, wanted));
  });
}

/** Each rule's path under data, as far as its head is made of fixed names. */
function documentPaths(module: Module): string[][] {
  const pkg = constantSegments(module.package.terms.slice(1));
  return module.rules.map((rule) => {
    const [head, ...rest] = rule.head.ref;
    const name = head?.type === "var" ? [head.name] : [];
    return [...pkg, ...name, ...constantSegments(rest)];
  });
}

function constantSegments(terms: Term[]): string[] {
  const out: string[] = [];
  for (const t of terms) {
    if (t.type !== "string") break;
    out.push(t.value);
  }
  return out;
}

function isPrefix(prefix: string[], of: string[]): boolean {
  return prefix.length <= of.length && prefix.every((s, i) => of[i] === s);
}
